import { DEMO, expect, test } from "./fixtures";

test("signs in through the form, sees the account, signs out", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(DEMO.email);
  await page.getByLabel("Password").fill(DEMO.password);
  await page.getByRole("button", { name: "Sign in" }).click();

  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { name: `Signed in as ${DEMO.email}` })).toBeVisible();
  await expect(page.getByTestId("whoami")).toContainText("user");
  // The security log (#11 §5) lists this sign-in, with the browser's user agent.
  const activity = page.getByTestId("security-activity");
  const signedIn = activity.getByRole("row").filter({ hasText: /^Signed in/ });
  await expect(signedIn.first()).toContainText(await page.evaluate(() => navigator.userAgent));

  await page.getByRole("navigation").getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login$/);
});

test("refuses a wrong password with a message and keeps the email", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(DEMO.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();

  await expect(page.getByRole("form", { name: "Sign in" }).getByRole("alert")).toHaveText("Wrong email or password.");
  await expect(page.getByLabel("Email")).toHaveValue(DEMO.email);
  await expect(page).toHaveURL(/\/login$/);
});

test("gives an unknown email the same message as a wrong password", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill("nobody@example.com");
  await page.getByLabel("Password").fill("whatever it is");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("form", { name: "Sign in" }).getByRole("alert")).toHaveText("Wrong email or password.");
});

test("points at empty fields instead of submitting them", async ({ page }) => {
  await page.goto("/login");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("form", { name: "Sign in" }).getByRole("alert")).toHaveText(
    "Check the highlighted fields.",
  );
  await expect(page.getByText("Enter your email address.")).toBeVisible();
  await expect(page.getByText("Enter your password.")).toBeVisible();
});

test("signs in before hydration too: the form posts, the password never reaches the URL", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(DEMO.email);
  await page.getByLabel("Password").fill(DEMO.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/account$/);
  expect(page.url()).not.toContain("password");
  await context.close();
});

test("answers a malformed form post with a 400, never a 500", async ({ request }) => {
  const response = await request.post("/login", {
    headers: { "content-type": "multipart/form-data; boundary=zz" },
    data: "not a multipart body",
  });
  expect(response.status()).toBe(400);
  expect(await response.json()).toMatchObject({ status: 400, title: "Bad Request" });
});
