import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

/**
 * The browser flow against a production build (`next start`), on its own embedded
 * database folder and its own signing key, as an operator would run it.
 * Uses Debian's /usr/bin/chromium when present (no download), else Playwright's own.
 */
process.env.E2E_PORT ??= freePort();
// The server's signing key, shared with the workers like the port: the specs forge an expired
// but validly signed access token with it, instead of waiting for a real one to lapse.
process.env.E2E_AUTH_JWKS ??= testSigningKeys();
const PORT = process.env.E2E_PORT;
const AUTH_JWKS = process.env.E2E_AUTH_JWKS;
const BASE_URL = `http://127.0.0.1:${PORT}`;
const systemChromium = process.env.PLAYWRIGHT_CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * A port nobody listens on, chosen once: Playwright loads this file again in each worker,
 * which inherits E2E_PORT from the runner, so every process agrees on the address.
 * Two suites (two clones, two developers) never collide on a fixed port.
 */
function freePort(): string {
  const script =
    "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})";
  return execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }).trim();
}

function testSigningKeys(): string {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = privateKey.export({ format: "jwk" });
  return JSON.stringify({ keys: [{ ...jwk, alg: "ES256", use: "sig", kid: `e2e-${randomUUID()}` }] });
}

export default defineConfig({
  testDir: "./e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: process.env.CI ? "list" : [["list"]],
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
    launchOptions: existsSync(systemChromium)
      ? {
          executablePath: systemChromium,
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
          ],
        }
      : {},
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: {
    // The account the specs sign in with is seeded first, by the app's code from outside the
    // server: a production server refuses GATEHOUSE_DEMO_USER.
    command: `pnpm exec tsx e2e/seed-demo-user.ts && pnpm exec next start --port ${PORT} --hostname 127.0.0.1`,
    url: `${BASE_URL}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      AUTH_ISSUER: BASE_URL,
      AUTH_JWKS,
      GATEHOUSE_DATA_DIR: mkdtempSync(path.join(tmpdir(), "gatehouse-e2e-")),
      // The whole suite signs up against one global budget.
      SIGNUP_THROTTLE_GLOBAL_MAX_ATTEMPTS: "1000",
      DATABASE_URL: "",
    },
  },
});
