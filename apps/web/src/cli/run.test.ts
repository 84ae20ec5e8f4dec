import { hashApiKey, isValidApiKey } from "@gatehouse/auth/api-key";
import { API_KEY_REVOKED_CHANNEL, ownerRevocationPayload } from "@gatehouse/auth/api-key-verifier";
import { findApiKeyByHash, listApiKeys } from "@gatehouse/db/api-keys";
import { createTestDatabase, type TestDatabase } from "@gatehouse/db/testing";
import { createUser, findUserById, setUserDisabled } from "@gatehouse/db/users";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenForRevocations } from "~/test/revocation-notice";
import { run } from "./run";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await createUser(database.db, { email: "ops@example.com", passwordHash: "h", scopes: ["notes:*"] });
  await createUser(database.db, { email: "other@example.com", passwordHash: "h", scopes: ["notes:*"] });
});
afterAll(async () => {
  await database.cleanup();
});

/** Runs one command line against the test database, capturing what it prints. */
async function gatehouse(...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  let opened = false;
  const code = await run(argv, {
    output: { out: (line) => stdout.push(line), err: (line) => stderr.push(line) },
    async openDatabase() {
      opened = true;
      return { ...database, close: async () => {} };
    },
    environment: () => "test",
  });
  return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n"), opened };
}

async function createKey(email = "ops@example.com", scopes = "notes:read notes:write") {
  const result = await gatehouse("keys", "create", "--email", email, "--scopes", scopes, "--name", "ci");
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

describe("keys create", () => {
  it("prints the key alone on stdout, once, and stores only its hash", async () => {
    const result = await gatehouse(
      "keys",
      "create",
      "--email",
      "OPS@example.com",
      "--scopes",
      "notes:read notes:write",
      "--name",
      "deploy bot",
      "--expires-in-days",
      "30",
    );
    expect(result.code).toBe(0);
    expect(isValidApiKey(result.stdout)).toBe(true);
    expect(result.stdout.startsWith("gk_test_")).toBe(true);
    expect(result.stderr).toMatch(/only time the key is shown/);
    expect(result.stderr).not.toContain(result.stdout);
    const stored = await findApiKeyByHash(database.db, hashApiKey(result.stdout));
    expect(stored).toMatchObject({ name: "deploy bot", scopes: ["notes:read", "notes:write"] });
    expect(stored?.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  });

  it("expires in 90 days by default - a forgotten key does not live for ever", async () => {
    const before = Date.now();
    const key = await createKey();
    const stored = await findApiKeyByHash(database.db, hashApiKey(key));
    const lifetime = (stored?.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY) - before;
    expect(lifetime).toBeGreaterThanOrEqual(90 * 86_400_000);
    expect(lifetime).toBeLessThan(91 * 86_400_000);
  });

  it("never expires only when told - --never-expires, not with --expires-in-days", async () => {
    const args = ["keys", "create", "--email", "ops@example.com", "--scopes", "notes:read", "--name", "forever"];
    const result = await gatehouse(...args, "--never-expires");
    expect(result.code, result.stderr).toBe(0);
    expect((await findApiKeyByHash(database.db, hashApiKey(result.stdout)))?.expiresAt).toBeNull();
    expect(result.stderr).toMatch(/expires\s+never/);
    const both = await gatehouse(...args, "--never-expires", "--expires-in-days", "30");
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/not both/);
  });

  it("refuses a scope the app does not know - usage error", async () => {
    const result = await gatehouse(
      "keys",
      "create",
      "--email",
      "ops@example.com",
      "--scopes",
      "notse:read",
      "--name",
      "x",
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown scope: notse:read/);
  });

  it("refuses a scope the user does not hold - a key never exceeds its owner", async () => {
    const result = await gatehouse(
      "keys",
      "create",
      "--email",
      "ops@example.com",
      "--scopes",
      "api_keys:read",
      "--name",
      "x",
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/do not hold: api_keys:read/);
    expect(result.stderr).toMatch(/holds: notes:\*/);
  });

  it("refuses an unknown email", async () => {
    const result = await gatehouse(
      "keys",
      "create",
      "--email",
      "nobody@example.com",
      "--scopes",
      "notes:read",
      "--name",
      "x",
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/No user with email nobody@example.com/);
  });

  it("refuses a disabled user", async () => {
    const user = await createUser(database.db, { email: "gone@example.com", passwordHash: "h", scopes: ["notes:*"] });
    await setUserDisabled(database.db, user.id, true);
    const result = await gatehouse(
      "keys",
      "create",
      "--email",
      "gone@example.com",
      "--scopes",
      "notes:read",
      "--name",
      "x",
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/disabled/);
  });

  it("needs a name and valid days - usage errors", async () => {
    expect((await gatehouse("keys", "create", "--email", "ops@example.com", "--scopes", "notes:read")).code).toBe(2);
    const days = await gatehouse(
      "keys",
      "create",
      "--email",
      "a@b.c",
      "--scopes",
      "notes:read",
      "--name",
      "x",
      "--expires-in-days",
      "0",
    );
    expect(days.code).toBe(2);
    expect(days.stderr).toMatch(/--expires-in-days/);
  });
});

describe("keys list", () => {
  it("lists the user's keys without secrets or hashes", async () => {
    const key = await createKey();
    const result = await gatehouse("keys", "list", "--email", "ops@example.com");
    expect(result.code).toBe(0);
    const [header, ...rows] = result.stdout.split("\n");
    expect(header).toMatch(/^ID\s+NAME\s+START\s+SCOPES\s+CREATED\s+LAST USED\s+EXPIRES\s+REVOKED$/);
    const owner = (await listApiKeys(database.db, (await findApiKeyByHash(database.db, hashApiKey(key)))?.userId ?? ""))
      .length;
    expect(rows).toHaveLength(owner);
    expect(result.stdout).not.toContain(key);
    expect(result.stdout).not.toContain(hashApiKey(key));
    expect(result.stdout).toContain(key.slice(0, "gk_test_".length + 4));
  });

  it("says so when the user has no keys", async () => {
    await createUser(database.db, { email: "empty@example.com", passwordHash: "h", scopes: [] });
    const result = await gatehouse("keys", "list", "--email", "empty@example.com");
    expect(result).toMatchObject({ code: 0, stdout: "" });
    expect(result.stderr).toMatch(/no API keys/);
  });
});

describe("keys revoke", () => {
  it("revokes the key and publishes its hash so app caches drop it at once", async () => {
    const key = await createKey();
    const stored = await findApiKeyByHash(database.db, hashApiKey(key));
    const heard: string[] = [];
    const unlisten = await database.listen(API_KEY_REVOKED_CHANNEL, (payload) => heard.push(payload));
    try {
      const result = await gatehouse("keys", "revoke", "--email", "ops@example.com", "--id", stored?.id ?? "");
      expect(result.code, result.stderr).toBe(0);
      await expect.poll(() => heard).toEqual([hashApiKey(key)]);
      expect((await findApiKeyByHash(database.db, hashApiKey(key)))?.revokedAt).toBeInstanceOf(Date);
      const again = await gatehouse("keys", "revoke", "--email", "ops@example.com", "--id", stored?.id ?? "");
      expect(again.code).toBe(0);
      expect(again.stderr).toMatch(/already revoked/);
      expect(heard).toHaveLength(1);
    } finally {
      await unlisten();
    }
  });

  it("refuses another user's key or an unknown id - one user never revokes another's key", async () => {
    const key = await createKey("other@example.com");
    const id = (await findApiKeyByHash(database.db, hashApiKey(key)))?.id ?? "";
    const result = await gatehouse("keys", "revoke", "--email", "ops@example.com", "--id", id);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/No API key with id .* belongs to ops@example.com/);
    expect((await findApiKeyByHash(database.db, hashApiKey(key)))?.revokedAt).toBeNull();
    expect((await gatehouse("keys", "revoke", "--email", "ops@example.com", "--id", "nope")).code).toBe(1);
  });
});

describe("users set-scopes, disable, enable", () => {
  it("replaces the user's scopes and publishes owner:<id> so app caches drop the user's keys at once", async () => {
    const user = await createUser(database.db, { email: "narrow@example.com", passwordHash: "h", scopes: ["notes:*"] });
    const notices = await listenForRevocations(database);
    try {
      const result = await gatehouse("users", "set-scopes", "--email", "NARROW@example.com", "--scopes", "notes:read");
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe("Scopes of narrow@example.com: notes:read (were: notes:*)");
      expect((await findUserById(database.db, user.id))?.scopes).toEqual(["notes:read"]);
      await notices.next(ownerRevocationPayload(user.id));
      expect(notices.heard).toEqual([`owner:${user.id}`]);
    } finally {
      await notices.stop();
    }
  });

  it("disables and re-enables the user, telling app instances each time", async () => {
    const user = await createUser(database.db, { email: "off@example.com", passwordHash: "h", scopes: ["notes:*"] });
    const notices = await listenForRevocations(database);
    try {
      expect((await gatehouse("users", "disable", "--email", "off@example.com")).code).toBe(0);
      expect((await findUserById(database.db, user.id))?.disabledAt).toBeInstanceOf(Date);
      expect((await gatehouse("users", "enable", "--email", "off@example.com")).code).toBe(0);
      expect((await findUserById(database.db, user.id))?.disabledAt).toBeNull();
      await expect.poll(() => notices.heard).toEqual([`owner:${user.id}`, `owner:${user.id}`]);
    } finally {
      await notices.stop();
    }
  });

  it("refuses an unknown email (exit 1) or scope (exit 2) - nothing published", async () => {
    const notices = await listenForRevocations(database);
    try {
      const result = await gatehouse("users", "set-scopes", "--email", "nobody@example.com", "--scopes", "notes:read");
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/No user with email nobody@example.com/);
      expect((await gatehouse("users", "disable", "--email", "nobody@example.com")).code).toBe(1);
      const typo = await gatehouse("users", "set-scopes", "--email", "ops@example.com", "--scopes", "notse:read");
      expect(typo).toMatchObject({ code: 2, stderr: expect.stringMatching(/Unknown scope: notse:read/) });
      expect(notices.heard).toEqual([]);
    } finally {
      await notices.stop();
    }
  });
});

describe("command line", () => {
  it("prints help and exits 0", async () => {
    const result = await gatehouse("--help");
    expect(result).toMatchObject({ code: 0, opened: false });
    expect(result.stdout).toMatch(/keys create/);
    expect((await gatehouse("keys", "create", "-h")).code).toBe(0);
  });

  it("rejects unknown commands and options without opening the database - exit 2", async () => {
    for (const argv of [
      [],
      ["users"],
      ["keys"],
      ["keys", "delete"],
      ["keys", "list", "--bogus"],
      ["keys", "list", "--id", "x"],
      ["users", "delete"],
      ["users", "disable", "--scopes", "notes:read"],
    ]) {
      const result = await gatehouse(...argv);
      expect(result, argv.join(" ")).toMatchObject({ code: 2, opened: false });
    }
  });

  it("reports a database that cannot be opened - exit 1", async () => {
    const stderr: string[] = [];
    const code = await run(["keys", "list", "--email", "ops@example.com"], {
      output: { out: () => {}, err: (line) => stderr.push(line) },
      openDatabase: () => Promise.reject(new Error("The embedded database in /x is open in another process")),
      environment: () => "test",
    });
    expect(code).toBe(1);
    expect(stderr.join("\n")).toMatch(/cannot open the database: The embedded database/);
  });
});
