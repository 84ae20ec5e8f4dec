/**
 * The Docker image's entry point without Docker: `node server.js` in
 * `.next/standalone/apps/web` (the image's WORKDIR and CMD), with the image's environment
 * (PORT, HOSTNAME, NODE_ENV=production) and the static assets copied beside it as the
 * Dockerfile does. On a fresh embedded database (its PGlite .wasm/.data and the migrations
 * must have been traced into the folder) and, when the suite has one, on a real Postgres.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase } from "@gatehouse/db/testing";
import { expect, test } from "@playwright/test";
import { postgresAnswers, testPostgresUrl } from "../../../scripts/lib/test-postgres.mjs";
import { freePort } from "../src/test/free-port";

// Cold starts: a fresh embedded database, or a loaded machine, take more than the default minute.
test.describe.configure({ timeout: 180_000 });

const APP = fileURLToPath(new URL("..", import.meta.url));
const STANDALONE = path.join(APP, ".next/standalone/apps/web");

async function startStandalone(extraEnv: Record<string, string>): Promise<{ url: string; server: ChildProcess }> {
  expect(existsSync(path.join(STANDALONE, "server.js")), "next build with output: standalone").toBe(true);
  cpSync(path.join(APP, ".next/static"), path.join(STANDALONE, ".next/static"), { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, ["server.js"], {
    cwd: STANDALONE,
    // Only what the image sets and an operator passes: nothing of this checkout's environment.
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      AUTH_ISSUER: url,
      AUTH_JWKS: process.env.E2E_AUTH_JWKS ?? "",
      ...extraEnv,
    },
    stdio: "pipe",
  });
  let log = "";
  server.stdout?.on("data", (chunk) => (log += chunk));
  server.stderr?.on("data", (chunk) => (log += chunk));
  try {
    // The first request opens the database: a fresh PGlite runs initdb and the migrations.
    await expect
      .poll(
        () =>
          fetch(`${url}/api/health`).then(
            (answer) => answer.status,
            () => 0,
          ),
        { timeout: 150_000 },
      )
      .toBe(200);
  } catch (error) {
    server.kill("SIGTERM");
    throw new Error(`standalone server did not answer; its output:\n${log}`, { cause: error });
  }
  return { url, server };
}

async function checkServes(url: string, database: string) {
  const health = await fetch(`${url}/api/health`);
  expect(await health.json()).toMatchObject({ status: "ok", database });
  const login = await fetch(`${url}/login`);
  expect(login.status).toBe(200);
  const html = await login.text();
  // The page's own scripts come from the copied static folder.
  const script = /\/_next\/static\/[^"]+\.js/.exec(html)?.[0];
  expect(script).toBeDefined();
  expect((await fetch(`${url}${script}`)).status).toBe(200);
}

test("the image's entry point serves health and the sign-in page on the embedded database", async () => {
  const { url, server } = await startStandalone({
    GATEHOUSE_DATA_DIR: mkdtempSync(path.join(tmpdir(), "gatehouse-standalone-")),
  });
  try {
    await checkServes(url, "pglite");
  } finally {
    server.kill("SIGTERM");
  }
});

test("the image's entry point serves on Postgres", async () => {
  if (!(await postgresAnswers(testPostgresUrl))) {
    // Never a skip counted as a pass: without Postgres this fails and says how to get one.
    throw new Error(
      `The standalone Postgres case needs Postgres at ${testPostgresUrl} (start one: docker compose up -d db, or set GATEHOUSE_TEST_PG_URL)`,
    );
  }
  process.env.GATEHOUSE_TEST_PG_URL ??= testPostgresUrl;
  const database = await createTestDatabase();
  if (!database.url) throw new Error("createTestDatabase gave no Postgres URL");
  const { url, server } = await startStandalone({ DATABASE_URL: database.url });
  try {
    await checkServes(url, "postgres");
  } finally {
    server.kill("SIGTERM");
    await database.cleanup();
  }
});
