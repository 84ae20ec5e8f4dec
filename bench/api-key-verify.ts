/**
 * API key verification: what a keyed request costs us, side by side, in one run.
 *
 * - hit: `verify()` answered from the in-process cache (format + checksum, SHA-256, Map, expiry).
 * - miss: `verify()` with the cache off (`cacheTtl: 0`; the key is valid, so the negative cache
 *   never answers): every call runs the whole miss path, one `findApiKeyByHash` included. The query
 *   alone is the next row, so the difference is the verifier's own work.
 * - floor: the cheapest database round trip a verifier could make: one postgres.js SELECT by
 *   primary key on the same table and the same client, as a named prepared statement, the same
 *   `api_keys` columns the lookup reads, rows as arrays, awaited and destructured (as the lookup takes them). Only the
 *   lookup's real extra work is left over: the unique text index instead of the uuid primary key,
 *   the join to `users`, and mapping the row.
 * - better-auth style: what its verify does per request at the least (SELECT by hash, then UPDATE
 *   the key's last-request time), in raw postgres.js: cheaper than through its ORM adapter.
 *
 * Needs a real Postgres (GATEHOUSE_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres):
 * a temporary database is created and dropped. Rounds are interleaved and the median kept,
 * because timings drift ±20–30% within a minute on these machines; compare the ratios. The
 * miss target is then checked a second way, miss and floor alternating op by op, per-op medians.
 * Run alone: `pnpm --filter @gatehouse/bench exec tsx api-key-verify.ts`.
 */
import { pathToFileURL } from "node:url";
import { hashApiKey, issueApiKey } from "@gatehouse/auth/api-key";
import { createApiKeyVerifier } from "@gatehouse/auth/api-key-verifier";
import { findApiKeyByHash, insertApiKey } from "@gatehouse/db/api-keys";
import { createTestDatabase } from "@gatehouse/db/testing";
import { createUser } from "@gatehouse/db/users";
import { createApiKeyStore } from "../apps/web/src/server/api-key-store";
import type { BenchResult } from "./run";
import { median, pairedMedianRatio } from "./stats";

const DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const ROUNDS = 60;
const HIT_OPS = 20_000;
const DB_OPS = 200;
const PAIRED_OPS = 4_000;

/** The part of postgres.js's `Sql` we use, reached through drizzle's `$client` (no direct dependency). */
type RawSql = ((strings: TemplateStringsArray, ...values: unknown[]) => Promise<unknown[]>) & {
  unsafe(query: string, params: unknown[], options: { prepare: boolean }): { values(): Promise<unknown[][]> };
};
const FLOOR_SQL = "select id, user_id, name, scopes, expires_at, last_used_at, revoked_at from api_keys where id = $1";

interface Case {
  name: string;
  ops: number;
  run: () => Promise<unknown>;
  wall: number[];
  cpu: number[];
}

export async function run(): Promise<BenchResult> {
  const previousUrl = process.env.GATEHOUSE_TEST_PG_URL;
  process.env.GATEHOUSE_TEST_PG_URL = previousUrl || DEFAULT_PG_URL;
  const database = await createTestDatabase();
  if (previousUrl === undefined) delete process.env.GATEHOUSE_TEST_PG_URL;
  try {
    const { db } = database;
    const sql = (db as unknown as { $client: RawSql }).$client;

    const owner = await createUser(db, { email: "bench@example.com", passwordHash: "h", scopes: ["notes:*"] });
    const issued = issueApiKey({ scopes: ["notes:read"], ownerScopes: owner.scopes });
    const row = await insertApiKey(db, {
      userId: owner.id,
      name: "bench",
      keyHash: issued.hash,
      start: issued.start,
      scopes: issued.scopes,
    });
    // Some rows around it, so the indexes are not trivially one page.
    for (let i = 0; i < 2_000; i++) {
      const other = issueApiKey({ scopes: [], ownerScopes: [] });
      await insertApiKey(db, { userId: owner.id, name: `k${i}`, keyHash: other.hash, start: other.start, scopes: [] });
    }
    await sql`analyze`;

    // The app's own store adapter, not a copy of it: what ships is what is measured. Only its
    // lookup: `touch` writes on a timer, outside what a verify costs.
    const { findByHash } = createApiKeyStore(async () => database);
    const cached = createApiKeyVerifier({ store: { findByHash }, cacheTtl: 3_600_000 });
    const uncached = createApiKeyVerifier({ store: { findByHash }, cacheTtl: 0, negativeCacheTtl: 0 });

    const bench = (name: string, ops: number, fn: () => Promise<unknown>): Case => ({
      name,
      ops,
      run: fn,
      wall: [],
      cpu: [],
    });
    const hit = bench("verify, cache hit", HIT_OPS, () => cached.verify(issued.key));
    const miss = bench("verify, cache miss (1 SELECT)", DB_OPS, () => uncached.verify(issued.key));
    const query = bench("findApiKeyByHash alone (owner joined)", DB_OPS, () => findApiKeyByHash(db, issued.hash));
    // Awaited inside an async function and destructured, as every caller (the lookup included)
    // takes a row. Returning postgres.js's lazy query object to the loop's `await` instead
    // measured 20–30% slower (wall and CPU) for the same query, which flattered every ratio.
    const floor = bench("floor: postgres.js prepared SELECT by primary key", DB_OPS, async () => {
      const [found] = await sql.unsafe(FLOOR_SQL, [row.id], { prepare: true }).values();
      return found;
    });
    const betterAuth = bench("better-auth style: SELECT by hash + UPDATE", DB_OPS, async () => {
      const hash = hashApiKey(issued.key);
      const [found] = (await sql`select * from api_keys where key_hash = ${hash}`) as { id: string }[];
      if (!found) throw new Error("key not found");
      await sql`update api_keys set last_used_at = now() where id = ${found.id}`;
    });
    const cases = [hit, miss, query, floor, betterAuth];

    for (const c of cases) await measure(c, Math.min(c.ops, 200)); // Warm-up: JIT, prepared statements.
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round: the case that follows the CPU-bound hit loop measured up
      // to 30% slower, so no case may always sit in that seat.
      for (let i = 0; i < cases.length; i++) {
        const c = cases[(i + round) % cases.length] as Case;
        const { wall, cpu } = await measure(c, c.ops);
        c.wall.push(wall);
        c.cpu.push(cpu);
      }
    }

    // Second opinion on the miss target: per-op latency, miss and floor alternating op by op.
    const pairedMissRatio = await pairedMedianRatio(floor.run, miss.run, PAIRED_OPS);

    const floorUs = median(floor.wall);
    const floorCpu = median(floor.cpu);
    // Paired: each round's miss over the same round's floor, so drift between rounds cancels.
    const missRatio = median(miss.wall.map((wall, round) => wall / (floor.wall[round] as number)));
    const missCpuRatio = median(miss.cpu.map((cpu, round) => cpu / (floor.cpu[round] as number)));
    const hitUs = median(hit.wall);
    const betterAuthUs = median(betterAuth.wall);
    const lines = [
      "| case | µs/op (wall) | CPU µs/op | × floor (wall) | × floor (CPU) |",
      "| --- | ---: | ---: | ---: | ---: |",
      ...cases.map((c) => {
        const wall = median(c.wall);
        const cpu = median(c.cpu);
        return `| ${c.name} | ${fmt(wall)} | ${fmt(cpu)} | ${(wall / floorUs).toFixed(2)} | ${(cpu / floorCpu).toFixed(2)} |`;
      }),
    ];
    const notes = [
      `targets: hit < 5 µs → ${fmt(hitUs)} µs ${hitUs < 5 ? "✓" : "✗"}; miss ≤ 1.2 × floor (wall, median of per-round ratios) → ${missRatio.toFixed(2)} × ${missRatio <= 1.2 ? "✓" : "✗"} (CPU: ${missCpuRatio.toFixed(2)} ×)`,
      `paired per-op latency (${PAIRED_OPS} alternating pairs), median miss / median floor: ${pairedMissRatio.toFixed(2)} ×; miss − floor: ${fmt(median(miss.wall.map((wall, round) => wall - (floor.wall[round] as number))))} µs wall, ${fmt(median(miss.cpu.map((cpu, round) => cpu - (floor.cpu[round] as number))))} µs CPU per request (medians of per-round differences) (the ratio shrinks as the round trip grows: on a network rather than loopback it is smaller still)`,
      `better-auth style / our miss: ${(betterAuthUs / median(miss.wall)).toFixed(2)} ×; / our hit: ${Math.round(betterAuthUs / hitUs)} ×`,
      `${ROUNDS} interleaved rounds (order rotated), median; ${HIT_OPS} hits or ${DB_OPS} sequential queries per round; one request in flight.`,
      `Floor: \`${FLOOR_SQL}\`, named prepared statement, rows as arrays, awaited in an async function; the miss case runs with \`cacheTtl: 0\`.`,
    ].join("\n");
    return { title: "API key verification", table: lines.join("\n"), notes };
  } finally {
    await database.cleanup();
  }
}

async function measure(c: Case, ops: number): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) await c.run();
  const wall = Number(process.hrtime.bigint() - t0) / 1_000 / ops;
  const used = process.cpuUsage(cpu0);
  return { wall, cpu: (used.user + used.system) / ops };
}

function fmt(us: number): string {
  return us < 10 ? us.toFixed(2) : us.toFixed(0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await run();
  console.log(`\n${result.title}\n\n${result.table}\n\n${result.notes ?? ""}`);
}
