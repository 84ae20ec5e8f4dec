/**
 * Every page runs under the production CSP without a single violation, Next.js's own
 * scripts carry this request's nonce, and pages and API answers carry the security headers.
 */
import type { APIResponse, Page, Response } from "@playwright/test";
import { collectCspViolations } from "./csp-violations";
import { DEMO, expect, signIn, test } from "./fixtures";
import { REFRESH_COOKIE, SESSION_COOKIE, sessionCookies } from "./session-tokens";

const violations: string[] = [];

test.beforeEach(async ({ context }) => {
  violations.length = 0;
  await collectCspViolations(context, violations);
});

test.afterEach(() => {
  expect(violations, "CSP violations").toEqual([]);
});

/** The headers every answer carries; pages add a nonce'd script policy, API answers allow nothing. */
function expectSecurityHeaders(headers: Record<string, string>, kind: "page" | "api") {
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["referrer-policy"]).toBe("same-origin");
  // The e2e server is a production build; browsers ignore HSTS over http, so it costs nothing here.
  expect(headers["strict-transport-security"]).toMatch(/^max-age=\d{7,}/);
  const policy = headers["content-security-policy"] ?? "";
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).not.toContain("unsafe-");
  if (kind === "page") expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/]+=*' 'strict-dynamic'/);
  else expect(policy).toContain("default-src 'none'");
}

/** Loads a page, waits for it to settle, and checks that every script ran with the page's nonce. */
async function visit(page: Page, path: string, landsOn: RegExp): Promise<Response | null> {
  const response = await page.goto(path);
  await expect(page).toHaveURL(landsOn);
  await page.waitForLoadState("networkidle");
  const headers = (await response?.allHeaders()) ?? {};
  expectSecurityHeaders(headers, "page");
  const nonce = /'nonce-([^']+)'/.exec(headers["content-security-policy"] ?? "")?.[1];
  const scriptNonces = await page
    .locator("script")
    .evaluateAll((scripts) => scripts.map((script) => (script as HTMLScriptElement).nonce));
  expect(scriptNonces.length).toBeGreaterThan(0);
  expect(new Set(scriptNonces)).toEqual(new Set([nonce]));
  return response;
}

test("pages signed out - home, login, signup - no CSP violation, scripts nonce'd", async ({ page }) => {
  await visit(page, "/", /\/login$/);
  await visit(page, "/login", /\/login$/);
  await visit(page, "/signup", /\/signup$/);
  // Hydrated: the form's client-side validation runs (a blocked script would leave a dead form).
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/signup$/);
});

test("pages signed in - home, account, notes, api-keys - no CSP violation, scripts nonce'd", async ({ page }) => {
  await signIn(page);
  await visit(page, "/", /\/account$/);
  await visit(page, "/account", /\/account$/);
  await expect(page.getByRole("heading", { name: `Signed in as ${DEMO.email}` })).toBeVisible();

  await visit(page, "/notes", /\/notes$/);
  const title = `CSP ${Date.now().toString(36)}`;
  await page.getByLabel("Title", { exact: true }).fill(title);
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(page.getByRole("list", { name: "Your notes" }).getByRole("heading", { name: title })).toBeVisible();
  // Server-rendered again, with the note list's markup in the HTML.
  await visit(page, "/notes", /\/notes$/);
  await expect(page.getByRole("heading", { name: title })).toBeVisible();

  await visit(page, "/api-keys", /\/api-keys$/);
});

test("API answers carry the headers - tRPC, token endpoint, health", async ({ page, request }) => {
  await signIn(page);
  const answers: [string, APIResponse][] = [
    ["/api/trpc/auth.me", await page.request.get("/api/trpc/auth.me")],
    ["/api/trpc/auth.me signed out", await request.get("/api/trpc/auth.me")],
    ["/api/token", await request.post("/api/token", { form: { grant_type: "refresh_token", refresh_token: "x" } })],
    ["/api/health", await request.get("/api/health")],
  ];
  expect(answers[0]?.[1].status()).toBe(200);
  for (const [name, answer] of answers) {
    await test.step(name, () => expectSecurityHeaders(answer.headers(), "api"));
  }
});

test("a tossed second session cookie signs the browser out - the proxy does not renew, tRPC refuses", async ({
  page,
  context,
  request,
}) => {
  await signIn(page);
  const { access, refresh } = await sessionCookies(context);
  expect(access?.name).toBe(SESSION_COOKIE);
  const own = `${SESSION_COOKIE}=${access?.value}; ${REFRESH_COOKIE}=${refresh?.value}`;
  expect((await request.get("/api/trpc/auth.me", { headers: { cookie: own } })).status()).toBe(200);

  const tossedAccess = `${own}; ${SESSION_COOKIE}=forged`;
  expect((await request.get("/api/trpc/auth.me", { headers: { cookie: tossedAccess } })).status()).toBe(401);
  // A second refresh cookie, no access cookie: the proxy must not rotate either one.
  const tossedRefresh = `${REFRESH_COOKIE}=ghr_forged; ${REFRESH_COOKIE}=${refresh?.value}`;
  const account = await request.get("/account", { headers: { cookie: tossedRefresh }, maxRedirects: 0 });
  expect(account.status()).toBe(307);
  expect(account.headers().location).toMatch(/\/login$/);
  expect(account.headersArray().filter((header) => header.name.toLowerCase() === "set-cookie")).toEqual([]);
});
