/**
 * `pnpm gatehouse events --email`, `events verify` and the cleanup job's pruning, on a log the
 * app wrote; tampering is done with plain SQL, as someone with database access would.
 */

import { readAuthEventChain } from "@gatehouse/db/auth-event-chain";
import { appendAuthEvents } from "@gatehouse/db/auth-events";
import { beforeAll, describe, expect, it } from "vitest";
import { env } from "~/env";
import { getAuth } from "~/server/auth";
import { loadChainKey } from "~/server/auth-event-key";
import { setupTestDatabase } from "~/test/database";
import { gatehouseOutput } from "~/test/gatehouse-cli";
import { createTestUser } from "~/test/users";

const database = setupTestDatabase();
let email: string;
let userId: string;

/** Writes `count` events through the app's recorder and waits for them. */
async function writeEvents(count: number): Promise<void> {
  const { events } = await getAuth();
  for (let n = 0; n < count; n++) {
    void events.record({
      type: n % 2 ? "sign_out" : "sign_in.succeeded",
      userId,
      email,
      headers: new Headers({ "user-agent": `agent ${n}` }),
    });
  }
  await events.flush();
}

async function headId(): Promise<number> {
  return (await readAuthEventChain(database.current.db)).headId;
}

beforeAll(async () => {
  const user = await createTestUser(database.current.db);
  email = user.email;
  userId = user.id;
});

describe("gatehouse events", () => {
  it("prints a user's events newest first - and refuses a stray option", async () => {
    await writeEvents(2);
    const { code, stdout } = await gatehouseOutput(database.current, "events", "--email", email.toUpperCase());
    expect(code).toBe(0);
    expect(stdout[0]).toMatch(/^ID\s+WHEN\s+EVENT\s+ADDRESS\s+USER AGENT\s+DETAIL$/);
    expect(stdout.slice(1).map((line) => line.split(/\s{2,}/)[2])).toEqual(["sign_out", "sign_in.succeeded"]);
    expect(stdout[1]).toContain("agent 1");
    expect((await gatehouseOutput(database.current, "events", "--id", "x")).code).toBe(2);
    expect((await gatehouseOutput(database.current, "events", "lists")).code).toBe(2);
  });

  it("verify says OK for an untouched log", async () => {
    const { code, stdout } = await gatehouseOutput(database.current, "events", "verify");
    expect(code, stdout.join("\n")).toBe(0);
    expect(stdout.join("\n")).toMatch(/^OK: \d+ event\(s\) from checkpoint row 0 to head row \d+/);
  });

  it("verify reports the row whose address was changed with UPDATE - exit 1", async () => {
    await writeEvents(3);
    const target = (await headId()) - 1;
    await database.current.db.execute(`update auth_events set address = '203.0.113.66' where id = ${target}`);
    const { code, stderr } = await gatehouseOutput(database.current, "events", "verify");
    expect(code).toBe(1);
    expect(stderr.join("\n")).toContain(`at row ${target}:`);
    await database.current.db.execute(`update auth_events set address = null where id = ${target}`);
    expect((await gatehouseOutput(database.current, "events", "verify")).code).toBe(0);
  });

  it("verify reports the next row when a middle row was deleted - exit 1", async () => {
    await writeEvents(3);
    const last = await headId();
    await database.current.db.execute(`delete from auth_events where id = ${last - 1}`);
    const { code, stderr } = await gatehouseOutput(database.current, "events", "verify");
    expect(code).toBe(1);
    expect(stderr.join("\n")).toContain(`at row ${last}: row ${last - 1} is missing`);
  });
});

describe("cleanup prunes the log", () => {
  it("refuses to prune a log that does not verify - a checkpoint never vouches for tampering", async () => {
    // The previous test deleted a row: the log is broken.
    const { code, stderr } = await gatehouseOutput(database.current, "cleanup");
    expect(code).toBe(1);
    expect(stderr.join("\n")).toMatch(/security log not pruned: it does not verify/);
  });

  it("deletes events older than the retention behind a signed checkpoint; verify starts there; a forged checkpoint is reported", async () => {
    // Start over from a sound log: drop everything and reset the head to the empty chain.
    await database.current.db.execute(`delete from auth_events`);
    await database.current.db.execute(
      `update auth_event_chain set head_id = 0, head_hash = repeat('0', 64), head_signature = null`,
    );
    const key = await loadChainKey(env());
    const old = new Date(Date.now() - 100 * 86_400_000);
    const event = {
      createdAt: old,
      type: "sign_out",
      userId,
      subject: null,
      address: null,
      userAgent: null,
      detail: null,
    };
    await appendAuthEvents(database.current.db, [event, event], key.sign);
    await writeEvents(2);
    const pruned = await gatehouseOutput(database.current, "cleanup");
    expect(pruned.code, pruned.stderr.join("\n")).toBe(0);
    expect(pruned.stderr.join("\n")).toContain("Pruned 2 security event(s) older than 90 days.");
    const verified = await gatehouseOutput(database.current, "events", "verify");
    expect(verified.code, verified.stderr.join("\n")).toBe(0);
    expect(verified.stdout.join("\n")).toMatch(/^OK: 2 event\(s\) from checkpoint row 2 to head row 4/);

    // Moving the checkpoint (to hide the first kept row, say) needs the key.
    await database.current.db.execute(`delete from auth_events where id = 3`);
    await database.current.db.execute(
      `update auth_event_chain set checkpoint_id = 3, checkpoint_hash = (select prev_hash from auth_events where id = 4)`,
    );
    const forged = await gatehouseOutput(database.current, "events", "verify");
    expect(forged.code).toBe(1);
    expect(forged.stderr.join("\n")).toMatch(/checkpoint \(row 3\) is not signed by our key/);
  });
});
