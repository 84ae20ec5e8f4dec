import { createHmac } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GENESIS_HASH, readAuthEventChain, verifyAuthEventChain } from "./auth-event-chain";
import { appendAuthEvents, listUserAuthEvents, type NewAuthEvent, pruneAuthEvents } from "./auth-events";
import { createTestDatabase, type TestDatabase } from "./testing";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.cleanup();
});
// Each test tampers with its own chain: start from the empty one.
beforeEach(async () => {
  await database.db.execute(sql`delete from auth_events`);
  await database.db.execute(sql`update auth_event_chain set head_id = 0, head_hash = ${GENESIS_HASH},
    head_signature = null, checkpoint_id = 0, checkpoint_hash = ${GENESIS_HASH}, checkpoint_signature = null`);
});

const key = "test chain key";
const sign = (message: string) => createHmac("sha256", key).update(message).digest("hex");
const isSigned = (message: string, signature: string) => sign(message) === signature;
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
const USER = "0b0e6c32-3c4e-4d5a-9f8e-1a2b3c4d5e6f";

function event(n: number, overrides: Partial<NewAuthEvent> = {}): NewAuthEvent {
  return {
    createdAt: at(n),
    type: "sign_in.succeeded",
    userId: USER,
    subject: "someone@example.com",
    address: `192.0.2.${n % 250}`,
    userAgent: "vitest",
    detail: null,
    ...overrides,
  };
}

async function appendSeveral(count: number): Promise<void> {
  for (let n = 1; n <= count; n++) await appendAuthEvents(database.db, [event(n)], sign);
}

describe("auth events chain", () => {
  it("verifies an untouched chain - empty, then with rows", async () => {
    expect(await verifyAuthEventChain(database.db, isSigned)).toMatchObject({ ok: true, rows: 0, headId: 0 });
    await appendSeveral(5);
    expect(await verifyAuthEventChain(database.db, isSigned)).toMatchObject({ ok: true, rows: 5, headId: 5 });
  });

  it("reports the edited row - an address changed with UPDATE", async () => {
    await appendSeveral(5);
    await database.db.execute(sql`update auth_events set address = '198.51.100.7' where id = 3`);
    expect(await verifyAuthEventChain(database.db, isSigned)).toMatchObject({ ok: false, rowId: 3 });
  });

  it("reports the next row - a middle row deleted", async () => {
    await appendSeveral(5);
    await database.db.execute(sql`delete from auth_events where id = 3`);
    expect(await verifyAuthEventChain(database.db, isSigned)).toMatchObject({ ok: false, rowId: 4 });
  });

  it("reports the first moved row - two rows' ids swapped", async () => {
    await appendSeveral(5);
    await database.db.execute(sql`update auth_events set id = -id where id in (2, 4)`);
    await database.db.execute(sql`update auth_events set id = case id when -2 then 4 else 2 end where id < 0`);
    expect(await verifyAuthEventChain(database.db, isSigned)).toMatchObject({ ok: false, rowId: 2 });
  });

  it("reports the newest rows deleted - the signed head still names them", async () => {
    await appendSeveral(5);
    await database.db.execute(sql`delete from auth_events where id >= 4`);
    expect(await verifyAuthEventChain(database.db, isSigned)).toMatchObject({ ok: false, rowId: 4 });
  });

  it("reports a rewrite that recomputes every hash - the head's signature no longer matches", async () => {
    await appendSeveral(3);
    // A forger who knows the hash rule but not the key: rewrite row 2 and re-chain rows 2-3 and the head.
    const { canonicalEventHash } = await import("./auth-event-chain");
    const rows = await database.db.execute<Record<string, unknown>>(sql`select * from auth_events order by id`);
    const list = (Array.isArray(rows) ? rows : (rows as unknown as { rows: Record<string, unknown>[] }).rows).map(
      (r) => ({
        id: Number(r.id),
        createdAt: new Date(r.created_at as string),
        type: String(r.type),
        userId: r.user_id as string | null,
        subject: r.subject as string | null,
        address: r.address as string | null,
        userAgent: r.user_agent as string | null,
        detail: r.detail as string | null,
        prevHash: String(r.prev_hash),
      }),
    );
    let prev = list[0]?.prevHash ?? GENESIS_HASH;
    for (const row of list) {
      if (row.id === 2) row.address = "203.0.113.9";
      const hash = canonicalEventHash({ ...row, prevHash: prev });
      await database.db.execute(
        sql`update auth_events set address = ${row.address}, prev_hash = ${prev}, hash = ${hash} where id = ${row.id}`,
      );
      prev = hash;
    }
    await database.db.execute(sql`update auth_event_chain set head_hash = ${prev}`);
    expect(await verifyAuthEventChain(database.db, isSigned)).toMatchObject({ ok: false, rowId: null });
  });

  it("never forks - 30 concurrent appends make one contiguous chain", async () => {
    await Promise.all(
      Array.from({ length: 30 }, (_, n) => appendAuthEvents(database.db, [event(n + 1), event(n + 100)], sign)),
    );
    expect(await verifyAuthEventChain(database.db, isSigned)).toMatchObject({ ok: true, rows: 60, headId: 60 });
  });

  it("prunes behind a signed checkpoint - verification starts there; a forged checkpoint is reported", async () => {
    await appendSeveral(6);
    expect(await pruneAuthEvents(database.db, at(4), sign)).toBe(3);
    const chain = await readAuthEventChain(database.db);
    expect(chain).toMatchObject({ checkpointId: 3, headId: 6 });
    expect(await verifyAuthEventChain(database.db, isSigned)).toMatchObject({ ok: true, rows: 3, checkpointId: 3 });
    await appendAuthEvents(database.db, [event(7)], sign);
    expect(await verifyAuthEventChain(database.db, isSigned)).toMatchObject({ ok: true, rows: 4, headId: 7 });

    // Deleting a row just after the checkpoint and moving the checkpoint over it needs the key.
    await database.db.execute(sql`delete from auth_events where id = 4`);
    await database.db.execute(sql`update auth_event_chain set checkpoint_id = 4,
      checkpoint_hash = (select prev_hash from auth_events where id = 5)`);
    expect(await verifyAuthEventChain(database.db, isSigned)).toMatchObject({ ok: false, rowId: null });
    expect((await verifyAuthEventChain(database.db, isSigned)) as { reason: string }).toMatchObject({
      reason: expect.stringMatching(/checkpoint/),
    });
  });

  it("prunes everything when every row is old - the checkpoint is the head", async () => {
    await appendSeveral(3);
    expect(await pruneAuthEvents(database.db, at(100), sign)).toBe(3);
    expect(await pruneAuthEvents(database.db, at(100), sign)).toBe(0);
    expect(await verifyAuthEventChain(database.db, isSigned)).toMatchObject({ ok: true, rows: 0, checkpointId: 3 });
  });

  it("lists a user's events newest first - by id, and failed sign-ins for their email since the account exists", async () => {
    await appendAuthEvents(
      database.db,
      [
        event(1, { userId: null, subject: "late@example.com", type: "sign_in.failed" }),
        event(10, { userId: null, subject: "late@example.com", type: "sign_in.throttled" }),
        event(11, { type: "sign_out" }),
        event(12, { userId: null, subject: "other@example.com", type: "sign_in.failed" }),
      ],
      sign,
    );
    const events = await listUserAuthEvents(
      database.db,
      { id: USER, email: " Late@Example.com", createdAt: at(5) },
      20,
    );
    expect(events.map((e) => e.type)).toEqual(["sign_out", "sign_in.throttled"]);
  });
});
