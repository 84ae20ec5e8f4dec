import { DEMO, expect, signIn, test } from "./fixtures";

test("stays signed in after the access token expires, until signing out", async ({ page, context }) => {
  await signIn(page);

  const cookies = await context.cookies();
  const session = cookies.find((cookie) => cookie.name === "gatehouse_session");
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Lax");
  const refreshBefore = cookies.find((cookie) => cookie.name === "gatehouse_refresh")?.value;

  // The e2e server issues 5-second access tokens: wait past expiry, then reload.
  await page.waitForTimeout(6_500);
  await page.reload();
  await expect(page.getByRole("heading", { name: `Signed in as ${DEMO.email}` })).toBeVisible();
  await expect(page.getByTestId("whoami")).toContainText("user");
  const refreshAfter = (await context.cookies()).find((cookie) => cookie.name === "gatehouse_refresh")?.value;
  expect(refreshAfter).toBeTruthy();
  expect(refreshAfter).not.toBe(refreshBefore);

  await expect(page.getByRole("table")).toContainText("this device");

  await page.getByRole("navigation").getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login$/);
});

test("'sign out everywhere' ends this session too", async ({ page }) => {
  await signIn(page);
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login$/);
});

test("sign up → sign in → note → still signed in after the access token expires → sign out → redirected", async ({
  page,
}) => {
  const email = `journey-${Date.now().toString(36)}@example.com`;
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

  await page.waitForTimeout(6_500); // past the 5-second access token of the e2e server
  await page.reload();
  await expect(list.getByRole("heading", { name: "Before expiry" })).toBeVisible();
  // A mutation after expiry goes through the renewed session too.
  await page.getByLabel("Title", { exact: true }).fill("After expiry");
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(list.getByRole("heading", { name: "After expiry" })).toBeVisible();

  await page.getByRole("navigation").getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/notes");
  await expect(page).toHaveURL(/\/login$/);
});
