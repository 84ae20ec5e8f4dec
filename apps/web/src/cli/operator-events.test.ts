/**
 * #11 §5: what the operator CLI changes is in the security log too. `keys create|revoke` and
 * `users disable|enable|set-scopes|set-password` each append one event for the user, on the
 * same hash chain (`events verify` stays OK), with no address, the user agent `gatehouse CLI`
 * and a detail without a secret. A log that cannot be written never undoes the change silently.
 */
import { listUserAuthEvents } from "@gatehouse/db/auth-events";
import { findUserById, type User } from "@gatehouse/db/users";
import { beforeAll, describe, expect, it } from "vitest";
import { env } from "~/env";
import { type ChainKey, loadChainKey } from "~/server/auth-event-key";
import { setupTestDatabase } from "~/test/database";
import { gatehouseOutput, gatehouseOutputWith } from "~/test/gatehouse-cli";
import { createTestUser } from "~/test/users";
import { CLI_USER_AGENT } from "./operator-event";

const database = setupTestDatabase();
let key: ChainKey;
beforeAll(async () => {
  key = await loadChainKey(env());
});

const NEW_PASSWORD = "an operator's reset passphrase";

async function cli(...argv: string[]) {
  const result = await gatehouseOutput(database.current, ...argv);
  expect(result.code, result.stderr.join("\n")).toBe(0);
  return result;
}

/** The user's events, newest first. */
async function eventsOf(user: Pick<User, "id" | "email" | "createdAt">) {
  return listUserAuthEvents(database.current.db, user, 20);
}

async function expectChainVerifies() {
  const verified = await gatehouseOutput(database.current, "events", "verify");
  expect(verified.code, verified.stderr.join("\n")).toBe(0);
  expect(verified.stdout.join("\n")).toMatch(/^OK: /);
}

async function createKey(email: string, scopes: string) {
  const { stdout, stderr } = await cli("keys", "create", "--email", email, "--scopes", scopes, "--name", "ci");
  const id = /^ {2}id\s+(\S+)$/m.exec(stderr.join("\n"))?.[1];
  if (!id) throw new Error(`no key id in: ${stderr.join("\n")}`);
  return { id, secret: stdout.join("") };
}

describe("the operator CLI records what it changes", () => {
  it("keys create - api_key.created with the key id and scopes, never the key", async () => {
    const user = await createTestUser(database.current.db);
    const { id, secret } = await createKey(user.email, "notes:read");
    const [event, ...older] = await eventsOf(user);
    expect(older).toEqual([]);
    expect(event).toMatchObject({
      type: "api_key.created",
      userId: user.id,
      address: null,
      userAgent: CLI_USER_AGENT,
      detail: `API key ${id} (notes:read)`,
    });
    expect(JSON.stringify(event)).not.toContain(secret.slice(-20));
    await expectChainVerifies();
  });

  it("keys revoke - api_key.revoked with the key id", async () => {
    const user = await createTestUser(database.current.db);
    const { id } = await createKey(user.email, "notes:read");
    await cli("keys", "revoke", "--email", user.email, "--id", id);
    const events = await eventsOf(user);
    expect(events.map((event) => event.type)).toEqual(["api_key.revoked", "api_key.created"]);
    expect(events[0]).toMatchObject({ userAgent: CLI_USER_AGENT, address: null, detail: `API key ${id}` });
    // Revoking it again changes nothing, and records nothing.
    await cli("keys", "revoke", "--email", user.email, "--id", id);
    expect(await eventsOf(user)).toHaveLength(2);
    await expectChainVerifies();
  });

  it("users set-scopes - user.scopes_changed with the new scopes and the old", async () => {
    const user = await createTestUser(database.current.db, { scopes: ["notes:*", "api_keys:*"] });
    await cli("users", "set-scopes", "--email", user.email, "--scopes", "notes:read");
    const [event, ...older] = await eventsOf(user);
    expect(older).toEqual([]);
    expect(event).toMatchObject({
      type: "user.scopes_changed",
      userId: user.id,
      userAgent: CLI_USER_AGENT,
      address: null,
      detail: "scopes: notes:read (were: notes:* api_keys:*)",
    });
    await expectChainVerifies();
  });

  it("users disable, then enable - user.disabled, user.enabled", async () => {
    const user = await createTestUser(database.current.db);
    await cli("users", "disable", "--email", user.email);
    await cli("users", "enable", "--email", user.email);
    const events = await eventsOf(user);
    expect(events.map((event) => [event.type, event.userAgent, event.address])).toEqual([
      ["user.enabled", CLI_USER_AGENT, null],
      ["user.disabled", CLI_USER_AGENT, null],
    ]);
    await expectChainVerifies();
  });

  it("users set-password - password.changed, never the password", async () => {
    const user = await createTestUser(database.current.db);
    const result = await gatehouseOutputWith(
      { database: database.current, stdin: `${NEW_PASSWORD}\n` },
      "users",
      "set-password",
      "--email",
      user.email,
    );
    expect(result.code, result.stderr.join("\n")).toBe(0);
    const [event, ...older] = await eventsOf(user);
    expect(older).toEqual([]);
    expect(event).toMatchObject({
      type: "password.changed",
      userId: user.id,
      userAgent: CLI_USER_AGENT,
      address: null,
    });
    const stored = (await findUserById(database.current.db, user.id))?.passwordHash ?? "";
    for (const secret of [NEW_PASSWORD, stored, user.password]) expect(JSON.stringify(event)).not.toContain(secret);
    await expectChainVerifies();
  });

  it("`events --email` lists the CLI's events with its user agent", async () => {
    const user = await createTestUser(database.current.db);
    await cli("users", "disable", "--email", user.email);
    const { stdout } = await cli("events", "--email", user.email);
    expect(stdout[1]).toMatch(/user\.disabled\s+-?\s*gatehouse CLI/);
  });
});

describe("when the security log cannot record", () => {
  it("without the log's key nothing changes - exit 1 before the account is touched", async () => {
    const user = await createTestUser(database.current.db);
    const result = await gatehouseOutputWith(
      { database: database.current, chainKey: () => Promise.reject(new Error("no key set")) },
      "users",
      "disable",
      "--email",
      user.email,
    );
    expect(result.code).toBe(1);
    expect(result.stderr.join("\n")).toContain("no key set");
    expect((await findUserById(database.current.db, user.id))?.disabledAt).toBeNull();
    expect(await eventsOf(user)).toEqual([]);
  });

  it("a failed append after the change keeps the change and says so - exit 1, not silent", async () => {
    const user = await createTestUser(database.current.db);
    const broken: ChainKey = {
      sign: () => {
        throw new Error("log is down");
      },
      isSigned: (message, signature) => key.isSigned(message, signature),
    };
    const result = await gatehouseOutputWith(
      { database: database.current, chainKey: async () => broken },
      "users",
      "disable",
      "--email",
      user.email,
    );
    expect(result.code).toBe(1);
    expect(result.stderr.join("\n")).toMatch(
      /Disabled .* is done and stays in effect, but the security log did not record it \(log is down\)/,
    );
    expect((await findUserById(database.current.db, user.id))?.disabledAt).toBeInstanceOf(Date);
    expect(await eventsOf(user)).toEqual([]);
    // The append rolled back whole: the chain is as it was.
    await expectChainVerifies();
  });
});
