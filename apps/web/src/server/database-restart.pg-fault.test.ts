/**
 * Load while the database stops and comes back (issue #10 §7). Four clients call a
 * db-backed procedure (`notes.list`, which also loads the user) and `auth.me` (a JWT: no
 * database) through the real tRPC route handler, in-process — the same handler, context,
 * middleware and database pool `next start` runs, without Next's router in front. A
 * throwaway Postgres is stopped (immediate shutdown) mid-run and started again without
 * waiting, so requests also meet it while it is starting up.
 *
 * Promised: no 500, ever; every refusal is a 503 problem with Retry-After; no request hangs
 * past the bound the connect and statement timeouts give; `auth.me` keeps answering 200;
 * every client is served again within seconds of the database's return.
 * Runs in the real-Postgres leg only (it needs Postgres server binaries).
 */
import { createDb, type Database } from "@gatehouse/db/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startThrowawayPostgres, type ThrowawayPostgres } from "~/test/throwaway-postgres";
import { createTRPCRequest } from "~/test/trpc-request";
import { createTestUser } from "~/test/users";
import { getAuth } from "./auth";

// Before anything reads the environment (lazily, on first request): the deadline for a procedure.
process.env.REQUEST_TIMEOUT_MS = "4000";

const CLIENTS = 4;
const CONNECT_TIMEOUT_SECONDS = 2;
const STATEMENT_TIMEOUT_MS = 2000;
/** A request still pending after this is a hang: the request deadline plus generous slack for 2 shared cores. */
const HANG_BOUND_MS = 10_000;
/** After `start()`, every client must see notes.list answer 200 within this. */
const RECOVERY_BOUND_MS = 15_000;

interface Outcome {
  path: string;
  status: number | "hung";
  retryAfter: string | null;
  body: string;
  phase: Phase;
}
type Phase = "up" | "down" | "restarting";

let server: ThrowawayPostgres;
let database: Database;
let authorization: string;

beforeAll(async () => {
  server = await startThrowawayPostgres();
  database = await createDb({
    url: server.url,
    maxConnections: CLIENTS,
    connectTimeoutSeconds: CONNECT_TIMEOUT_SECONDS,
    statementTimeoutMs: STATEMENT_TIMEOUT_MS,
  });
  (globalThis as { gatehouseDb?: Promise<Database> }).gatehouseDb = Promise.resolve(database);
  const user = await createTestUser(database.db, { scopes: ["notes:*"] });
  const { issuer } = await getAuth();
  authorization = `Bearer ${(await issuer.createAccessToken({ sub: user.id, kind: "user", scope: "notes:read" })).access_token}`;
}, 120_000);

afterAll(async () => {
  delete process.env.REQUEST_TIMEOUT_MS;
  (globalThis as { gatehouseDb?: Promise<Database> }).gatehouseDb = undefined;
  await database?.close().catch(() => {});
  server?.remove();
});

/** One call, or "hung" when it has not settled within the bound. */
async function call(path: string, phase: () => Phase): Promise<Outcome> {
  const started = phase();
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<"hung">((resolve) => {
    timer = setTimeout(() => resolve("hung"), HANG_BOUND_MS);
  });
  try {
    const response = await Promise.race([createTRPCRequest(path, { authorization }), hung]);
    if (response === "hung") return { path, status: "hung", retryAfter: null, body: "", phase: started };
    return {
      path,
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      body: await response.text(),
      phase: started,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves when `condition` holds, checked after each answer; rejects past `boundMs`. */
function until(outcomes: Outcome[], condition: (outcomes: Outcome[]) => boolean, boundMs: number, what: string) {
  return new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`${what} did not happen within ${boundMs} ms`)), boundMs);
    const check = setInterval(() => {
      if (condition(outcomes)) {
        clearTimeout(deadline);
        clearInterval(check);
        resolve();
      }
    }, 20);
  });
}

describe("a database that stops and restarts under load", () => {
  it("answers 200 or a bounded 503, never 500 or a hang, and recovers within seconds", async () => {
    const outcomes: Outcome[] = [];
    let phase: Phase = "up";
    let running = true;
    const clients = Array.from({ length: CLIENTS }, async (_, client) => {
      for (let i = 0; running; i++) {
        const path = (i + client) % 2 === 0 ? "notes.list" : "auth.me";
        outcomes.push(await call(path, () => phase));
      }
    });

    const list = (wanted: Phase, status?: number) => (all: Outcome[]) =>
      all.filter((o) => o.path === "notes.list" && o.phase === wanted && (status === undefined || o.status === status));
    try {
      await until(outcomes, (all) => list("up", 200)(all).length >= 20, 30_000, "warm-up");

      phase = "down";
      server.stop();
      await until(outcomes, (all) => list("down", 503)(all).length >= 2 * CLIENTS, 30_000, "503s while down");

      phase = "restarting";
      server.start({ wait: false });
      // Recovered: every client has had notes.list answer 200 since the restart began.
      const recoveredAt = outcomes.length;
      await until(
        outcomes,
        (all) =>
          all.slice(recoveredAt).filter((o) => o.path === "notes.list" && o.status === 200).length >= CLIENTS * 2,
        RECOVERY_BOUND_MS,
        "recovery",
      );
    } finally {
      running = false;
      await Promise.all(clients);
    }

    const summary = (o: Outcome) => `${o.phase} ${o.path} ${o.status}`;
    expect(outcomes.filter((o) => o.status === "hung").map(summary)).toEqual([]);
    expect(outcomes.filter((o) => o.status !== 200 && o.status !== 503).map(summary)).toEqual([]);
    for (const refused of outcomes.filter((o) => o.status === 503)) {
      expect(refused.retryAfter).toBe("5");
      expect(JSON.parse(refused.body).error.json.data.problem).toMatchObject({ status: 503 });
      expect(refused.body).not.toMatch(/select|Failed query|\n\s+at /);
    }
    // A JWT needs no database: auth.me never noticed.
    expect(outcomes.filter((o) => o.path === "auth.me" && o.status !== 200).map(summary)).toEqual([]);
    expect(list("down", 503)(outcomes).length).toBeGreaterThan(0);
  });
});
