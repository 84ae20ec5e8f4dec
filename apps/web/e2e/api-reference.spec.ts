/**
 * #13: /docs in a real Chromium, as a person uses it. Authorize with an API key, then with
 * the OAuth 2.0 password flow; call a procedure the credential may call (200) and one whose
 * scope it lacks (403 with the problem body). Everything comes from this server: any request
 * to a host other than loopback fails the test, and so does any CSP violation.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import type { Page } from "@playwright/test";
import { collectCspViolations } from "./csp-violations";
import { DEMO, expect, signIn, test } from "./fixtures";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
const foreignRequests: string[] = [];
const violations: string[] = [];

test.beforeEach(async ({ context }) => {
  test.setTimeout(120_000);
  foreignRequests.length = 0;
  violations.length = 0;
  context.on("request", (request) => {
    const { protocol, hostname } = new URL(request.url());
    if ((protocol === "http:" || protocol === "https:") && !LOOPBACK.has(hostname)) foreignRequests.push(request.url());
  });
  await collectCspViolations(context, violations);
});

/**
 * Chromium logs every 4xx answer as a console error; the one 403 each test provokes on purpose
 * is taken off the list (and must be there), so any other console error still fails the test.
 */
function acceptProvokedRefusal(consoleErrors: string[]) {
  const index = consoleErrors.findIndex((message) => message.includes("status of 403 (Forbidden)"));
  expect(index, "the provoked 403 reached the browser").toBeGreaterThanOrEqual(0);
  consoleErrors.splice(index, 1);
}

test.afterEach(() => {
  expect(foreignRequests, "requests to non-loopback hosts").toEqual([]);
  expect(violations, "CSP violations").toEqual([]);
});

/** A key holding only notes:read, made on the API keys page; then signed out, so only the key speaks. */
async function readOnlyKey(page: Page): Promise<string> {
  await signIn(page);
  await page.goto("/api-keys");
  await page.getByLabel("Name").fill(`docs-${randomUUID().slice(0, 8)}`);
  await page.getByLabel("api_keys:read").uncheck();
  await expect(page.getByLabel("notes:read")).toBeChecked();
  await page.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent())?.trim() ?? "";
  expect(key).toMatch(/^gk_live_/);
  await page.context().clearCookies();
  return key;
}

async function openReference(page: Page) {
  await page.goto("/docs");
  // Swagger UI is a 1.7 MB bundle that parses the 3.1 document with ApiDOM: seconds on these machines.
  await expect(page.getByRole("heading", { name: "Gatehouse API" })).toBeVisible({ timeout: 60_000 });
}

/** Opens the Authorize dialog, runs `fill` in it, applies, and closes it. */
async function authorize(page: Page, scheme: RegExp, fill: (dialog: ReturnType<Page["locator"]>) => Promise<void>) {
  await page.locator(".scheme-container").getByRole("button", { name: "Authorize" }).click();
  const container = page.locator(".auth-container").filter({ has: page.locator("h4", { hasText: scheme }) });
  await fill(container);
  await container.locator("button.authorize").click();
  await expect(container.getByRole("button", { name: "Remove authorization" })).toBeVisible();
  await container.getByRole("button", { name: "Close" }).click();
}

/** Expands an operation, sets the body when given, executes it; resolves to the live status and body. */
async function execute(page: Page, path: string, body?: unknown): Promise<{ status: string; text: string }> {
  const operation = page
    .locator(".opblock")
    .filter({ has: page.locator(".opblock-summary-path", { hasText: new RegExp(`^${path.replace(/\./g, "\\.")}$`) }) });
  const summary = operation.locator(".opblock-summary-control");
  if ((await summary.getAttribute("aria-expanded")) !== "true") await summary.click();
  if (body !== undefined) await operation.locator("textarea.body-param__text").fill(JSON.stringify(body));
  await operation.getByRole("button", { name: "Execute" }).click();
  const live = operation.locator(".live-responses-table .response");
  await expect(live.locator(".response-col_status")).toBeVisible();
  const status = ((await live.locator(".response-col_status").textContent()) ?? "").trim();
  const text = (await live.locator(".response-col_description pre").first().textContent()) ?? "";
  await operation.getByRole("button", { name: "Clear" }).click();
  return { status, text };
}

test("authorize with an API key: notes.list 200, notes.create 403 with the problem naming notes:write", async ({
  page,
  baseURL,
  consoleErrors,
}) => {
  const key = await readOnlyKey(page);
  await openReference(page);
  await authorize(page, /^apiKey\s*\(apiKey\)$/, async (dialog) => {
    await dialog.getByLabel("Value:").fill(key);
  });

  const me = await execute(page, "/api/trpc/auth.me");
  expect(me.status).toBe("200");
  expect(me.text).toContain('"kind": "api_key"');

  expect((await execute(page, "/api/trpc/notes.list")).status).toBe("200");

  const refused = await execute(page, "/api/trpc/notes.create", { json: { title: "from the docs" } });
  expect(refused.status).toBe("403");
  expect(refused.text).toContain("Token is missing required scope: notes:write");
  acceptProvokedRefusal(consoleErrors);

  // The README's client generated from the document (openapi-typescript + openapi-fetch), run as a user would.
  const script = await promisify(execFile)("pnpm", ["exec", "tsx", "examples/openapi-client.ts"], {
    env: { ...process.env, GATEHOUSE_URL: baseURL, GATEHOUSE_API_KEY: key },
  });
  expect(JSON.parse(script.stdout)).toMatchObject({
    me: { kind: "api_key", scopes: ["notes:read"] },
    create: 403,
    problem: { status: 403, detail: "Token is missing required scope: notes:write" },
  });
});

test("sign in through the password flow with notes:read: notes.list 200, notes.create 403", async ({
  page,
  consoleErrors,
}) => {
  await openReference(page);
  await authorize(page, /^oauth2 \(OAuth2, password\)/, async (dialog) => {
    await dialog.getByLabel("username:").fill(DEMO.email);
    await dialog.getByLabel("password:").fill(DEMO.password);
    await dialog.getByText("notes:read", { exact: true }).click();
  });

  const me = await execute(page, "/api/trpc/auth.me");
  expect(me.status).toBe("200");
  expect(me.text).toContain('"kind": "user"');
  expect(me.text).toContain('"notes:read"');

  expect((await execute(page, "/api/trpc/notes.list")).status).toBe("200");
  const refused = await execute(page, "/api/trpc/notes.create", { json: { title: "from the docs" } });
  expect(refused.status).toBe("403");
  expect(refused.text).toContain("Token is missing required scope: notes:write");
  acceptProvokedRefusal(consoleErrors);
});

test("/scopes, linked from /docs and the API keys page, lists each scope, what it allows and what needs it", async ({
  page,
}) => {
  await page.goto("/docs");
  await page.getByRole("main").getByRole("link", { name: "Scopes" }).first().click();
  await expect(page).toHaveURL(/\/scopes$/);
  for (const scope of ["notes:read", "notes:write", "api_keys:read", "api_keys:write", "tokens:introspect"]) {
    await expect(page.getByRole("heading", { name: scope, exact: true })).toBeVisible();
  }
  await expect(page.getByText("Create, change and delete your notes")).toBeVisible();
  await expect(page.getByTestId("required-by-notes:write")).toHaveText("notes.create, notes.update, notes.delete");

  await signIn(page);
  await page.goto("/api-keys");
  await page.getByRole("main").getByRole("link", { name: "Scopes" }).click();
  await expect(page).toHaveURL(/\/scopes$/);
});
