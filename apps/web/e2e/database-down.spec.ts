/**
 * With the database down, a page says so with a real 503, not a framework error. A second
 * `next start` of the same build is pointed at a Postgres address nobody listens on (the
 * suite's own server keeps its database).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { freePort } from "../src/test/free-port";
import { expect, test } from "./fixtures";

let server: ChildProcess | undefined;
let base = "";

test.beforeAll(async () => {
  // A second server starting beside the suite's, on a loaded machine.
  test.setTimeout(180_000);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // Node runs Next's own entry point directly, so the pid killed afterwards is the server's.
  const next = path.join("node_modules", "next", "dist", "bin", "next");
  const { NODE_OPTIONS: _loader, ...inherited } = process.env; // not Playwright's TypeScript loader
  server = spawn(process.execPath, [next, "start", "--port", String(port), "--hostname", "127.0.0.1"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...inherited,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      AUTH_ISSUER: base,
      AUTH_JWKS: process.env.E2E_AUTH_JWKS,
      GATEHOUSE_DATA_DIR: mkdtempSync(path.join(tmpdir(), "gatehouse-e2e-down-")),
      // Nothing listens here: every connection is refused, as when Postgres is stopped.
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/gatehouse`,
    },
  });
  let output = "";
  server.stdout?.on("data", (chunk) => (output += String(chunk)));
  server.stderr?.on("data", (chunk) => (output += String(chunk)));
  for (let attempt = 0; attempt < 480; attempt++) {
    const answer = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(10_000) }).catch(() => null);
    if (answer) {
      expect(answer.status).toBe(503);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the second server did not answer /api/health:\n${output}`);
});

test.afterAll(() => {
  if (server?.pid) server.kill("SIGTERM");
});

test("a page load with the database down is a 503 page that says so, readable and accessible", async ({
  page,
  consoleErrors,
}) => {
  for (const pathname of ["/login", "/notes", "/"]) {
    const response = await page.goto(`${base}${pathname}`);
    expect(response?.status(), pathname).toBe(503);
    expect(response?.headers()["retry-after"]).toBe("5");
    await expect(page.getByRole("heading", { name: "Gatehouse is temporarily unavailable" })).toBeVisible();
    await expect(page.getByText("We can't reach our database right now.")).toBeVisible();
  }
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  expect(violations.map((violation) => violation.id)).toEqual([]);
  // The browser logs the 503 document itself as a failed resource; nothing else may fail.
  consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((text) => !/status of 503/.test(text)));
});
