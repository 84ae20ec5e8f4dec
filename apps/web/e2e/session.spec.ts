import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Cookie, Page } from "@playwright/test";
import { DEMO, expect, signIn, test } from "./fixtures";
import {
  jwtClaims,
  parseSetCookie,
  REFRESH_COOKIE,
  REFRESH_TOKEN_TTL_SECONDS,
  refreshGrant,
  resignedAccessToken,
  SESSION_COOKIE,
  sessionCookies,
} from "./session-tokens";

/** A browser that has only these cookies, as one holding a copy of them would. */
async function browserWith(browser: Browser, cookies: Cookie[]): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  await context.addCookies(cookies);
  return { context, page: await context.newPage() };
}

async function expectSignedIn(page: Page, email = DEMO.email) {
  await page.goto("/account");
  await expect(page.getByRole("heading", { name: `Signed in as ${email}` })).toBeVisible();
}

async function expectSignedOut(page: Page) {
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login$/);
}

const incompleteNotice = (page: Page) =>
  page.getByRole("alert").filter({ hasText: "the server could not end the session" });

/** The token endpoint refuses this refresh token the way RFC 6749 §5.2 says. */
async function expectRefreshRefused(request: Parameters<typeof refreshGrant>[0], refreshToken: string) {
  const response = await refreshGrant(request, refreshToken);
  expect(response.status()).toBe(400);
  expect(await response.json()).toMatchObject({ error: "invalid_grant" });
}

test("sets both session cookies HttpOnly, SameSite=Lax, Secure, Path=/, each living as long as its token", async ({
  page,
  context,
}) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(DEMO.email);
  await page.getByLabel("Password").fill(DEMO.password);
  const signInPost = page.waitForResponse(
    (response) => response.request().method() === "POST" && new URL(response.url()).pathname === "/login",
  );
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/account$/);

  // What the server sent, attribute by attribute (the e2e server runs NODE_ENV=production).
  const sent = (await (await signInPost).headersArray())
    .filter((header) => header.name.toLowerCase() === "set-cookie")
    .map((header) => parseSetCookie(header.value));
  const access = sent.find((cookie) => cookie.name === SESSION_COOKIE);
  const refresh = sent.find((cookie) => cookie.name === REFRESH_COOKIE);
  for (const cookie of [access, refresh]) {
    expect(cookie?.attributes.get("httponly")).toBe(true);
    expect(cookie?.attributes.get("secure")).toBe(true);
    expect(String(cookie?.attributes.get("samesite")).toLowerCase()).toBe("lax");
    // `/`, not narrower: src/proxy.ts renews the session on every page and every tRPC call.
    expect(cookie?.attributes.get("path")).toBe("/");
  }
  const { iat, exp } = jwtClaims(access?.value ?? "");
  expect(Number(access?.attributes.get("max-age"))).toBe(exp - iat);
  // Counted down from the token's expiry when the cookie was written: a second or two under the TTL.
  const refreshMaxAge = Number(refresh?.attributes.get("max-age"));
  expect(refreshMaxAge).toBeLessThanOrEqual(REFRESH_TOKEN_TTL_SECONDS);
  expect(refreshMaxAge).toBeGreaterThan(REFRESH_TOKEN_TTL_SECONDS - 60);

  // And what Chromium kept: http://127.0.0.1 is a potentially trustworthy origin, so it stores
  // Secure cookies there as it would over https.
  const stored = await sessionCookies(context);
  for (const cookie of [stored.access, stored.refresh]) {
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax", path: "/" });
  }
  expect(stored.access?.value).toBe(access?.value);
  expect(stored.refresh?.value).toBe(refresh?.value);
});

test("survives an expired access token: the proxy renews it from the refresh cookie and rotates that", async ({
  page,
  context,
  browser,
}) => {
  await signIn(page);
  const before = await sessionCookies(context);
  if (!before.access || !before.refresh) throw new Error("signed in without session cookies");
  const { iat, exp } = jwtClaims(before.access.value);
  // The same token an hour older: validly signed, long expired.
  const expired = resignedAccessToken(before.access.value, { iat: iat - 3600, exp: exp - 3600 });

  // Controls, so the survival below is renewal and nothing else: our re-signed token is
  // accepted while in date, and refused once expired when there is no refresh cookie.
  const inDate = await browserWith(browser, [
    { ...before.access, value: resignedAccessToken(before.access.value, {}) },
  ]);
  await expectSignedIn(inDate.page);
  await inDate.context.close();
  const expiredOnly = await browserWith(browser, [{ ...before.access, value: expired }]);
  await expectSignedOut(expiredOnly.page);
  await expiredOnly.context.close();

  await context.addCookies([{ ...before.access, value: expired }]);
  await page.reload();
  await expect(page.getByRole("heading", { name: `Signed in as ${DEMO.email}` })).toBeVisible();
  await expect(page.getByTestId("whoami")).toContainText("user");
  await expect(page.getByRole("region", { name: "Your sessions" }).getByRole("table")).toContainText("this device");
  const after = await sessionCookies(context);
  expect(after.access?.value).not.toBe(expired);
  expect(jwtClaims(after.access?.value ?? "").exp).toBeGreaterThan(exp - 3600);
  expect(after.refresh?.value).toBeTruthy();
  expect(after.refresh?.value).not.toBe(before.refresh.value);
});

test("sign-out ends the session on the server: a copied refresh token is refused by renewal and by /api/token", async ({
  page,
  context,
  browser,
  request,
}) => {
  await signIn(page);
  const copied = await sessionCookies(context);
  if (!copied.refresh) throw new Error("signed in without a refresh cookie");

  await page.getByRole("navigation").getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(incompleteNotice(page)).toHaveCount(0);
  expect(await sessionCookies(context)).toEqual({ access: undefined, refresh: undefined });
  await expectSignedOut(page);

  // The copy, in another browser whose access cookie has lapsed (its Max-Age ran out): the
  // proxy must try to renew, and the server must refuse. The first of these two checks to
  // run would spend a live token, so each alone fails when revocation is skipped.
  const thief = await browserWith(browser, [copied.refresh]);
  await expectSignedOut(thief.page);
  expect((await sessionCookies(thief.context)).refresh).toBeUndefined();
  await thief.context.close();
  await expectRefreshRefused(request, copied.refresh.value);
});

test("'sign out everywhere' ends every session of the user: another browser's refresh token dies too", async ({
  page,
  context,
  browser,
  request,
}) => {
  await signIn(page);
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signIn(otherPage);
  const otherCookies = await sessionCookies(other);
  const ownCookies = await sessionCookies(context);
  if (!otherCookies.refresh || !ownCookies.refresh) throw new Error("signed in without a refresh cookie");

  await page.goto("/account");
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expectSignedOut(page);

  // The other browser once its access token lapses (the cookie's Max-Age): renewal is refused.
  await other.clearCookies({ name: SESSION_COOKIE });
  await expectSignedOut(otherPage);
  await other.close();
  await expectRefreshRefused(request, otherCookies.refresh.value);
  await expectRefreshRefused(request, ownCookies.refresh.value);
});

test("says so when sign-out could not end the session on the server", async ({ page }) => {
  // Reached by the sign-out action when revocation fails (src/app/login/actions.test.ts).
  await page.goto("/login?signed-out=incomplete");
  await expect(incompleteNotice(page)).toBeVisible();
  await page.goto("/login");
  await expect(incompleteNotice(page)).toHaveCount(0);
});

test("sign up → sign in → note → still signed in once the access cookie lapses → sign out → redirected", async ({
  page,
  context,
}) => {
  const email = `journey-${randomUUID()}@example.com`;
  const password = "amber lantern over quiet fields";
  await page.goto("/signup");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await page.getByRole("navigation").getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);

  await signIn(page, email, password);

  await page.goto("/notes");
  await page.getByLabel("Title", { exact: true }).fill("Before expiry");
  await page.getByRole("button", { name: "Add note" }).click();
  const list = page.getByRole("list", { name: "Your notes" });
  await expect(list.getByRole("heading", { name: "Before expiry" })).toBeVisible();

  // What the browser does when the access cookie's Max-Age runs out: it stops sending it.
  await context.clearCookies({ name: SESSION_COOKIE });
  await page.reload();
  await expect(list.getByRole("heading", { name: "Before expiry" })).toBeVisible();
  // A mutation is the first request after the lapse: the proxy renews on the tRPC call too.
  await context.clearCookies({ name: SESSION_COOKIE });
  await page.getByLabel("Title", { exact: true }).fill("After expiry");
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(list.getByRole("heading", { name: "After expiry" })).toBeVisible();
  expect((await sessionCookies(context)).access).toBeDefined();

  await page.getByRole("navigation").getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/notes");
  await expect(page).toHaveURL(/\/login$/);
});
