import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

/** Each test signs up its own account, so the spec needs nothing from the others (nor the demo user). */
const uniqueEmail = () => `e2e-${randomUUID()}@example.com`;
const PASSWORD = "violet kayak under seven moons";

async function signUp(page: Page, email: string, password: string) {
  await page.goto("/signup");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
}

test("signs up, lands on the account page, and keeps a note across a reload", async ({ page }) => {
  const email = uniqueEmail();
  await signUp(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { name: `Signed in as ${email}` })).toBeVisible();

  await page.getByRole("link", { name: "Notes", exact: true }).click();
  await expect(page).toHaveURL(/\/notes$/);
  await expect(page.getByText("No notes yet.")).toBeVisible();

  await page.getByLabel("Title", { exact: true }).fill("Buy milk");
  await page.getByLabel("Note", { exact: true }).fill("Oat, two litres");
  await page.getByRole("button", { name: "Add note" }).click();
  const list = page.getByRole("list", { name: "Your notes" });
  await expect(list.getByRole("heading", { name: "Buy milk" })).toBeVisible();
  await expect(page.getByLabel("Title", { exact: true })).toHaveValue("");

  // Keyboard only: type a title and press Enter.
  await page.getByLabel("Title", { exact: true }).focus();
  await page.keyboard.type("Call the plumber");
  await page.keyboard.press("Enter");
  await expect(list.getByRole("heading", { name: "Call the plumber" })).toBeVisible();

  await page.reload();
  await expect(list.getByRole("heading", { name: "Buy milk" })).toBeVisible();
  await expect(list).toContainText("Oat, two litres");
  await expect(list.getByRole("heading", { name: "Call the plumber" })).toBeVisible();

  await page.getByRole("button", { name: "Delete note “Call the plumber”" }).click();
  await expect(list.getByRole("heading", { name: "Call the plumber" })).toHaveCount(0);
  await page.reload();
  await expect(list.getByRole("heading", { name: "Buy milk" })).toBeVisible();
  await expect(list.getByRole("heading", { name: "Call the plumber" })).toHaveCount(0);
});

test("shows a blank title as a field error and keeps the typed note", async ({ page }) => {
  await signUp(page, uniqueEmail(), PASSWORD);
  await expect(page).toHaveURL(/\/account$/);
  await page.goto("/notes");
  await page.getByLabel("Note", { exact: true }).fill("A body without a title");
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(page.getByRole("form", { name: "New note" }).getByRole("alert")).toHaveText(
    "Check the highlighted fields.",
  );
  await expect(page.getByText("Enter a title.")).toBeVisible();
  await expect(page.getByLabel("Note", { exact: true })).toHaveValue("A body without a title");
  await expect(page.getByLabel("Title", { exact: true })).toBeFocused();
});

test("refuses a too-short and a common password with messages, keeping the email", async ({ page }) => {
  const email = uniqueEmail();
  const form = page.getByRole("form", { name: "Create an account" });

  await signUp(page, email, "short pass");
  await expect(form.getByRole("alert")).toHaveText("Check the highlighted fields.");
  await expect(form.getByText("Use at least 12 characters.")).toBeVisible();
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(email);
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");

  await page.getByLabel("Password", { exact: true }).fill("Password1234");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(form.getByText("This password is too common and easy to guess. Choose another one.")).toBeVisible();
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(email);
  await expect(page).toHaveURL(/\/signup$/);
});

test("refuses an email that is already registered, in any letter case", async ({ page }) => {
  const email = uniqueEmail();
  await signUp(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/account$/);
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);

  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page).toHaveURL(/\/signup$/);
  await signUp(page, email.toUpperCase(), PASSWORD);
  await expect(page.getByText("An account with this email already exists")).toBeVisible();
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(email.toUpperCase());
  await expect(page.getByRole("link", { name: "Sign in instead" })).toBeVisible();
});

test("signs up before hydration too: the form posts, the password never reaches the URL", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signUp(page, uniqueEmail(), PASSWORD);
  await expect(page).toHaveURL(/\/account$/);
  expect(page.url()).not.toContain("password");
  await context.close();
});

test("sends a signed-out visitor from the notes page to sign-in", async ({ page }) => {
  await page.goto("/notes");
  await expect(page).toHaveURL(/\/login$/);
});
