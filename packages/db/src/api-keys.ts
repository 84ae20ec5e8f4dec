/**
 * API key queries. This module knows nothing of key formats: it takes and returns already
 * hashed values (`keyHash`, hex SHA-256), and never returns a hash except to the caller that
 * revoked the key (so it can publish the revocation).
 */
import { and, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "./client";
import { isUuid } from "./lib/is-uuid";
import { type ApiKeyRow, apiKeys, users } from "./schema";

/** A key as its owner may see it: everything but the hash. */
export type ApiKeyInfo = Omit<ApiKeyRow, "keyHash" | "parentKeyId">;

/** A key with what verification needs from its owner, read in one query. */
export interface ApiKeyWithOwner {
  id: string;
  userId: string;
  name: string;
  scopes: string[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  ownerScopes: string[];
  ownerDisabledAt: Date | null;
}

export interface NewApiKey {
  userId: string;
  name: string;
  keyHash: string;
  start: string;
  scopes: readonly string[];
  expiresAt?: Date | null;
  /** The key minting this one (a key calling `apiKeys.create`); it must be live, and revoking it revokes this one. */
  parentKeyId?: string | null;
}

/** The minting key was revoked (or never existed) by the time its child was stored. */
export class ParentKeyRevoked extends Error {
  override name = "ParentKeyRevoked";
}

const info = {
  id: apiKeys.id,
  userId: apiKeys.userId,
  name: apiKeys.name,
  start: apiKeys.start,
  scopes: apiKeys.scopes,
  expiresAt: apiKeys.expiresAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
  createdAt: apiKeys.createdAt,
};

export async function insertApiKey(db: Db, input: NewApiKey): Promise<ApiKeyInfo> {
  const values = {
    userId: input.userId,
    name: input.name,
    keyHash: input.keyHash,
    start: input.start,
    scopes: [...input.scopes],
    expiresAt: input.expiresAt ?? null,
    parentKeyId: input.parentKeyId ?? null,
  };
  const { parentKeyId } = values;
  if (parentKeyId === null) return insertedRow(await db.insert(apiKeys).values(values).returning(info));
  return db.transaction(async (tx) => {
    // FOR SHARE waits for a revocation of the parent in flight (its UPDATE) and blocks one that
    // starts now until this child is committed, where the cascade's next statement sees it.
    const [parent] = await tx
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(and(eq(apiKeys.id, parentKeyId), eq(apiKeys.userId, values.userId), isNull(apiKeys.revokedAt)))
      .for("share");
    if (!parent) throw new ParentKeyRevoked("The API key minting this key is no longer live");
    return insertedRow(await tx.insert(apiKeys).values(values).returning(info));
  });
}

function insertedRow(rows: ApiKeyInfo[]): ApiKeyInfo {
  const [row] = rows;
  if (!row) throw new Error("insert returned no row");
  return row;
}

// Verification is the hot path (every cache miss). On postgres.js the lookup goes straight to
// the client: a named prepared statement, rows as arrays, mapped by hand. Through drizzle the
// same statement cost about 10% more per call (placeholder filling, tracing spans, per-column
// mapping through the alias proxies), enough to miss the "within 1.2× of a primary-key SELECT"
// target on its own (bench/api-key-verify.ts). Other drivers (PGlite, a transaction) use the
// drizzle query, prepared once per database handle.
// Short aliases keep the statement text short: postgres.js hashes it on every execution to find
// the prepared statement.
const FIND_BY_HASH_SQL =
  "select k.id, k.user_id, k.name, k.scopes, k.expires_at, k.last_used_at, k.revoked_at, u.scopes, u.disabled_at" +
  " from api_keys k join users u on u.id = k.user_id where k.key_hash = $1";

type FindByHash = (keyHash: string) => Promise<ApiKeyWithOwner | undefined>;
const findByHashQueries = new WeakMap<Db, FindByHash>();

/** The part of postgres.js's `Sql` used here; drizzle keeps the client as `db.$client`. */
interface PostgresJsClient {
  unsafe(query: string, params: unknown[], options: { prepare: boolean }): { values(): Promise<unknown[][]> };
}

function postgresJsClient(db: Db): PostgresJsClient | undefined {
  const client = (db as { $client?: { unsafe?: unknown; options?: { parsers?: unknown } } }).$client;
  // postgres.js's `Sql` has `unsafe` and `options.parsers`; PGlite's client has neither, a transaction no `$client`.
  return typeof client?.unsafe === "function" && client.options?.parsers
    ? (client as unknown as PostgresJsClient)
    : undefined;
}

function buildFindByHash(db: Db): FindByHash {
  const client = postgresJsClient(db);
  if (client) {
    return async (keyHash) => {
      // `prepare: true` names the statement per connection; a client opened with `prepare: false` keeps it unnamed.
      const [row] = await client.unsafe(FIND_BY_HASH_SQL, [keyHash], { prepare: true }).values();
      if (!row) return undefined;
      return {
        id: row[0] as string,
        userId: row[1] as string,
        name: row[2] as string,
        scopes: row[3] as string[],
        expiresAt: toDate(row[4]),
        lastUsedAt: toDate(row[5]),
        revokedAt: toDate(row[6]),
        ownerScopes: row[7] as string[],
        ownerDisabledAt: toDate(row[8]),
      };
    };
  }
  const k = alias(apiKeys, "k");
  const u = alias(users, "u");
  const query = db
    .select({
      id: k.id,
      userId: k.userId,
      name: k.name,
      scopes: k.scopes,
      expiresAt: k.expiresAt,
      lastUsedAt: k.lastUsedAt,
      revokedAt: k.revokedAt,
      ownerScopes: u.scopes,
      ownerDisabledAt: u.disabledAt,
    })
    .from(k)
    .innerJoin(u, eq(u.id, k.userId))
    .where(eq(k.keyHash, sql.placeholder("hash")))
    .prepare("gatehouse_find_api_key_by_hash");
  return async (keyHash) => (await query.execute({ hash: keyHash }))[0];
}

// drizzle's postgres.js driver turns off the client's timestamp parsing (timestamptz comes back
// as text, e.g. "2026-01-02 03:04:05.678+00"); accept a Date too, for a client that parses.
function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value : new Date(value as string);
}

/**
 * The key whose hash is `keyHash`, with its owner's scopes and disabled flag: one lookup on
 * the unique index `api_keys_key_hash_key`, joined to `users` by primary key. Revoked and
 * expired keys are returned too; the caller decides (and answers them all the same way).
 */
export async function findApiKeyByHash(db: Db, keyHash: string): Promise<ApiKeyWithOwner | undefined> {
  let find = findByHashQueries.get(db);
  if (!find) {
    find = buildFindByHash(db);
    findByHashQueries.set(db, find);
  }
  return find(keyHash);
}

/** The owner's keys, newest first, revoked ones included (a list shows them as revoked). Never the hash. */
export async function listApiKeys(db: Db, userId: string): Promise<ApiKeyInfo[]> {
  if (!isUuid(userId)) return [];
  return db
    .select(info)
    .from(apiKeys)
    .where(eq(apiKeys.userId, userId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

/** One key of one owner (for the CLI and the keys page); `undefined` when it is not theirs. */
export async function findUserApiKey(db: Db, ref: { userId: string; id: string }): Promise<ApiKeyInfo | undefined> {
  if (!isUuid(ref.userId) || !isUuid(ref.id)) return undefined;
  const [row] = await db
    .select(info)
    .from(apiKeys)
    .where(and(eq(apiKeys.id, ref.id), eq(apiKeys.userId, ref.userId)))
    .limit(1);
  return row;
}

/**
 * Revokes one of the owner's keys and every live key it minted, down the generations (a stolen
 * key's children die with it). Returns their hashes, the named key's first, for the caller to
 * publish to every instance's cache; empty when there is no such live key of this owner
 * (someone else's key, an unknown id, or already revoked), so one user can never revoke
 * another's key and a repeated revoke publishes nothing.
 */
export async function revokeApiKey(db: Db, ref: { userId: string; id: string; at?: Date }): Promise<string[]> {
  return (await revokeApiKeyTree(db, ref)).map((row) => row.keyHash);
}

/** `revokeApiKey`, answering each key revoked by id and hash (the id names its client-credentials tokens). */
export async function revokeApiKeyTree(
  db: Db,
  ref: { userId: string; id: string; at?: Date },
): Promise<{ id: string; keyHash: string }[]> {
  if (!isUuid(ref.userId) || !isUuid(ref.id)) return [];
  const at = ref.at ?? new Date();
  return db.transaction(async (tx) => {
    let revoked = await tx
      .update(apiKeys)
      .set({ revokedAt: at })
      .where(and(eq(apiKeys.id, ref.id), eq(apiKeys.userId, ref.userId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id, keyHash: apiKeys.keyHash });
    const all = [...revoked];
    // The keys it minted, and theirs, one generation per statement: each statement reads anew,
    // so a child committed while its parent's row was locked by us is found by the next one.
    while (revoked.length) {
      revoked = await tx
        .update(apiKeys)
        .set({ revokedAt: at })
        .where(
          and(
            inArray(
              apiKeys.parentKeyId,
              revoked.map((row) => row.id),
            ),
            isNull(apiKeys.revokedAt),
          ),
        )
        .returning({ id: apiKeys.id, keyHash: apiKeys.keyHash });
      all.push(...revoked);
    }
    return all;
  });
}

export interface TouchApiKeysOptions {
  /** A key whose `last_used_at` is newer than `at − minInterval` is left alone, in ms. Default: 60 000. */
  minInterval?: number;
}

/**
 * Records a batch of uses in one UPDATE. Rows touched less than `minInterval` ago are skipped,
 * so instances flushing the same key do not each write it, and `last_used_at` never goes
 * backwards. Returns how many rows changed.
 */
export async function touchApiKeys(
  db: Db,
  ids: readonly string[],
  at: Date,
  options: TouchApiKeysOptions = {},
): Promise<number> {
  const valid = [...new Set(ids)].filter(isUuid);
  if (valid.length === 0) return 0;
  const threshold = new Date(at.getTime() - (options.minInterval ?? 60_000));
  const rows = await db
    .update(apiKeys)
    .set({ lastUsedAt: at })
    .where(
      and(
        // One array parameter: the same statement text for any batch size (one prepared statement).
        sql`${apiKeys.id} = any(${sql.param(valid)}::uuid[])`,
        or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, threshold)),
        // Revoked keys keep the last use from before the revocation.
        isNull(apiKeys.revokedAt),
      ),
    )
    .returning({ id: apiKeys.id });
  return rows.length;
}

/** Deletes keys expired or revoked before `before` (a cleanup job, never the request path). */
export async function deleteDeadApiKeys(db: Db, before: Date): Promise<number> {
  const rows = await db
    .delete(apiKeys)
    .where(or(lt(apiKeys.expiresAt, before), lt(apiKeys.revokedAt, before)))
    .returning({ id: apiKeys.id });
  return rows.length;
}
