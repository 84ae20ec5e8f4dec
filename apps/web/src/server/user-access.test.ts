/**
 * Lowering an owner's scopes or disabling them reaches their API keys on the next request,
 * without anyone clearing a cache by hand: through the app function (in-process) and through
 * the operator CLI, whose NOTIFY the app's own listener (auth.ts) must hear. Calls go through
 * the real tRPC route handler. The second-instance case is in api-key-revocation.pg-only.test.ts.
 */
import { ownerRevocationPayload } from "@gatehouse/auth/api-key-verifier";
import { findUserById } from "@gatehouse/db/users";
import { beforeAll, describe, expect, it } from "vitest";
import { run } from "~/cli/run";
import { createTestApiKey } from "~/test/api-keys";
import { setupTestDatabase } from "~/test/database";
import { listenForRevocations } from "~/test/revocation-notice";
import { createTRPCRequest } from "~/test/trpc-request";
import { getAuth } from "./auth";
import { changeUserScopes } from "./user-access";

const database = setupTestDatabase();

beforeAll(async () => {
  await (await getAuth()).revocationsListening; // The app's listener, as a running instance has it.
});

/** `notes.create` (needs notes:write) with the key. */
async function createNote(key: string) {
  return createTRPCRequest("notes.create", { "x-api-key": key }, { method: "POST", input: { title: "t", body: "b" } });
}

const listNotes = (key: string) => createTRPCRequest("notes.list", { "x-api-key": key });

/** The CLI as an operator runs it: its own command line, its own handle on the database. */
async function gatehouse(...argv: string[]) {
  const stderr: string[] = [];
  const code = await run(argv, {
    output: { out: () => {}, err: (line) => stderr.push(line) },
    openDatabase: async () => ({ ...database.current, close: async () => {} }),
    environment: () => "test",
  });
  expect(code, stderr.join("\n")).toBe(0);
}

describe("owner scope changes reach their API keys at once", () => {
  it("drops a key's scopes the moment its owner loses them - changeUserScopes in this process, next call 403 on the lost scope", async () => {
    const { owner, key } = await createTestApiKey(database.current.db, { scopes: ["notes:write"] });
    expect((await createNote(key)).status).toBe(200); // Cached from here on, for 30 s.
    // The notice is withheld, so only this process's own invalidation can narrow the cached key.
    const silent = { ...database.current, notify: async () => {} };
    await changeUserScopes(
      { database: silent, verifiers: [(await getAuth()).apiKeys] },
      { userId: owner.id, scopes: ["notes:read", "api_keys:*"] },
    );
    const refused = await createNote(key);
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.json.data.problem.detail).toBe("Token is missing required scope: notes:write");
    expect((await listNotes(key)).status).toBe(200); // What the owner still holds, the key keeps.
  });

  it("drops a key's scopes once the notice arrives - users set-scopes in the CLI, which tells the app only by NOTIFY", async () => {
    const { owner, key } = await createTestApiKey(database.current.db, { scopes: ["notes:write"] });
    expect((await createNote(key)).status).toBe(200);
    const notices = await listenForRevocations(database.current);
    try {
      await gatehouse("users", "set-scopes", "--email", owner.email, "--scopes", "notes:read");
      await notices.next(ownerRevocationPayload(owner.id));
      expect((await createNote(key)).status).toBe(403);
      expect((await listNotes(key)).status).toBe(200);
      expect((await findUserById(database.current.db, owner.id))?.scopes).toEqual(["notes:read"]);
    } finally {
      await notices.stop();
    }
  });

  it("refuses a disabled owner's key once the CLI's notice arrives, and accepts it again once re-enabled", async () => {
    const { owner, key } = await createTestApiKey(database.current.db);
    expect((await listNotes(key)).status).toBe(200);
    const notices = await listenForRevocations(database.current);
    try {
      await gatehouse("users", "disable", "--email", owner.email);
      await notices.next(ownerRevocationPayload(owner.id));
      const refused = await listNotes(key);
      expect(refused.status).toBe(401);
      expect((await refused.json()).error.json.data.problem.detail).toBe("Invalid API key");
      notices.heard.length = 0;
      await gatehouse("users", "enable", "--email", owner.email);
      await notices.next(ownerRevocationPayload(owner.id));
      expect((await listNotes(key)).status).toBe(200);
    } finally {
      await notices.stop();
    }
  });

  it("refuses a scope the app does not know - nothing written, nobody told", async () => {
    const { owner } = await createTestApiKey(database.current.db);
    const told: string[] = [];
    await expect(
      changeUserScopes(
        { database: database.current, verifiers: [{ invalidateOwner: (id) => told.push(id) }] },
        { userId: owner.id, scopes: ["notes:read", "notse:write"] },
      ),
    ).rejects.toThrow("Unknown scope: notse:write");
    expect(told).toEqual([]);
    expect((await findUserById(database.current.db, owner.id))?.scopes).toEqual(owner.scopes);
  });
});
