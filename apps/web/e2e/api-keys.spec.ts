import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { expect, signIn, test } from "./fixtures";

const run = promisify(execFile);

/** A script's call: plain fetch from Node with the key, no browser cookies. */
async function callAsScript(baseURL: string, key: string) {
  return fetch(`${baseURL}/api/trpc/auth.me`, { headers: { "x-api-key": key } });
}

test("creates a key in the UI, a script uses it, revoking it in the UI refuses the next call", async ({
  page,
  baseURL,
}) => {
  await signIn(page);

  await page.getByRole("link", { name: "API keys" }).click();
  await expect(page).toHaveURL(/\/api-keys$/);
  const name = `e2e-${randomUUID().slice(0, 8)}`;
  await page.getByLabel("Name").fill(name);
  // Read scopes are preselected; this key only reads notes.
  await page.getByLabel("api_keys:read").uncheck();
  await expect(page.getByLabel("notes:read")).toBeChecked();
  await page.getByRole("button", { name: "Create key" }).click();

  const key = (await page.getByTestId("new-api-key").textContent())?.trim() ?? "";
  expect(key).toMatch(/^gk_live_/);
  await expect(page.getByText("shown only once")).toBeVisible();
  const row = page.getByTestId(`api-key-${name}`);
  await expect(row).toContainText("notes:read");
  await expect(row).not.toContainText(key);

  const allowed = await callAsScript(baseURL as string, key);
  expect(allowed.status).toBe(200);
  expect((await allowed.json()).result.data.json).toMatchObject({ kind: "api_key" });

  // The README's typed-client example, run as a user would.
  const script = await run("pnpm", ["exec", "tsx", "examples/api-key-client.ts"], {
    env: { ...process.env, GATEHOUSE_URL: baseURL, GATEHOUSE_API_KEY: key },
  });
  expect(JSON.parse(script.stdout)).toMatchObject({ kind: "api_key", scopes: ["notes:read"] });

  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  await expect(row).toContainText("revoked");

  const refused = await callAsScript(baseURL as string, key);
  expect(refused.status).toBe(401);
  expect(refused.headers.get("www-authenticate")).toContain("Bearer");
  expect(await refused.text()).not.toContain(key);
});
