/**
 * The whole database in one file: each table, then its relations.
 * After editing, run `pnpm --filter @gatehouse/db generate` and commit `drizzle/`.
 */
import { relations, sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  check,
  index,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

export const users = pgTable(
  "users",
  {
    id: uuid().primaryKey().defaultRandom(),
    /**
     * Stored as typed; uniqueness and lookup are case-insensitive (index on lower(email)).
     * `null` for an account linked from an external issuer (`external_identities`): a foreign
     * `email` claim is never trusted to name, or claim, one of our accounts.
     */
    email: text(),
    /** argon2id; `null` for an account linked from an external issuer: it cannot sign in with a password. */
    passwordHash: text(),
    /** Scopes this user holds; tokens and API keys get a subset. */
    scopes: text().array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
    disabledAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex("users_email_lower_key").on(sql`lower(${t.email})`)],
);

export const usersRelations = relations(users, ({ many }) => ({
  apiKeys: many(apiKeys),
  refreshTokens: many(refreshTokens),
  notes: many(notes),
}));

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    /** Hex SHA-256 of the whole key; the key itself is never stored. */
    keyHash: text().notNull(),
    /** The first characters of the key, for recognising it in a list. */
    start: text().notNull(),
    scopes: text().array().notNull(),
    expiresAt: timestamp({ withTimezone: true }),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    /** The key that minted this one, if a key did: revoking it revokes this key too (#10 §2). */
    parentKeyId: uuid().references((): AnyPgColumn => apiKeys.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("api_keys_key_hash_key").on(t.keyHash),
    index("api_keys_user_id_idx").on(t.userId),
    index("api_keys_parent_key_id_idx").on(t.parentKeyId),
  ],
);

export const apiKeysRelations = relations(apiKeys, ({ one }) => ({
  user: one(users, { fields: [apiKeys.userId], references: [users.id] }),
}));

export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: uuid().primaryKey().defaultRandom(),
    /** Every rotation of one sign-in shares a family; reuse of a spent token revokes it whole. */
    familyId: uuid().notNull(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** Hex SHA-256 of the opaque token. */
    tokenHash: text().notNull(),
    scopes: text().array().notNull(),
    userAgent: text(),
    createdAt: createdAt(),
    /**
     * The family's sign-in, copied to every successor: its absolute lifetime counts from here.
     * The default only fills rows that predate the column (their families count from the migration).
     */
    familyCreatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    /** Set when this token was exchanged for its successor. */
    usedAt: timestamp({ withTimezone: true }),
    replacedBy: uuid(),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("refresh_tokens_token_hash_key").on(t.tokenHash),
    index("refresh_tokens_family_id_idx").on(t.familyId),
    index("refresh_tokens_user_id_idx").on(t.userId),
  ],
);

export const refreshTokensRelations = relations(refreshTokens, ({ one }) => ({
  user: one(users, { fields: [refreshTokens.userId], references: [users.id] }),
}));

export const notes = pgTable(
  "notes",
  {
    id: uuid().primaryKey().defaultRandom(),
    ownerId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: text().notNull(),
    body: text().notNull().default(""),
    createdAt: createdAt(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("notes_owner_id_idx").on(t.ownerId)],
);

export const notesRelations = relations(notes, ({ one }) => ({
  owner: one(users, { fields: [notes.ownerId], references: [users.id] }),
}));

/**
 * Recent authentication attempts by key (for example `password:<address>:<email>`), so a
 * throttle is shared by every instance. Rows older than the window are deleted as we go.
 */
export const authAttempts = pgTable(
  "auth_attempts",
  {
    id: uuid().primaryKey().defaultRandom(),
    key: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index("auth_attempts_key_created_at_idx").on(t.key, t.createdAt)],
);

/**
 * Access tokens to refuse before their `exp`: a revoked sign-in (`family`, the token's `sid`),
 * a revoked API key (`key`, `key_id`), one token revoked by itself (`token`, its `jti`), or a
 * user's tokens issued before `revoked_at` (`user`).
 * One row per subject, the latest time kept; every instance loads the rows younger than the
 * access-token lifetime at start and hears new ones by NOTIFY. Older rows refuse nothing.
 */
export const accessRevocations = pgTable(
  "access_revocations",
  {
    kind: text().notNull(),
    subject: text().notNull(),
    revokedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.subject] }), index("access_revocations_revoked_at_idx").on(t.revokedAt)],
);

/**
 * The security log (#11 §5): sign-ins, sign-outs, key and token revocations, refused scopes.
 * Rows are a hash chain in `id` order: `hash` = SHA-256 over `prev_hash` and the row's own
 * content (see auth-events.ts), so an UPDATE, DELETE or reordering made with SQL shows at
 * the first row it touches. No foreign key to `users`: history outlives the account, and
 * a cascade would edit the chain. Never a secret, a token or a hash of one.
 */
export const authEvents = pgTable(
  "auth_events",
  {
    /** Given by the appender (the chain head's `head_id` + 1): contiguous, in chain order. */
    id: bigint({ mode: "number" }).primaryKey(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    /** `sign_in.succeeded`, `api_key.revoked`… (AUTH_EVENT_TYPES in auth-events.ts). */
    type: text().notNull(),
    userId: uuid(),
    /** The account named by the request (the email as typed, trimmed and lower-cased), where known. */
    subject: text(),
    address: text(),
    userAgent: text(),
    /** A short, secret-free note: a key id, a refused scope and procedure. */
    detail: text(),
    prevHash: text().notNull(),
    hash: text().notNull(),
  },
  (t) => [
    index("auth_events_user_id_id_idx").on(t.userId, t.id),
    index("auth_events_subject_id_idx").on(t.subject, t.id),
    index("auth_events_created_at_idx").on(t.createdAt),
  ],
);

/**
 * The chain's one head row (id 1): appends lock it (`FOR UPDATE`), so concurrent inserts
 * queue and never fork the chain. `head_*` is the newest row, `checkpoint_*` the last row
 * pruned away (verification starts there); both signed with a key derived from the signing
 * key, so neither can be rewritten without it. The migration inserts the empty chain.
 */
export const authEventChain = pgTable(
  "auth_event_chain",
  {
    id: smallint().primaryKey(),
    headId: bigint({ mode: "number" }).notNull(),
    headHash: text().notNull(),
    headSignature: text(),
    checkpointId: bigint({ mode: "number" }).notNull(),
    checkpointHash: text().notNull(),
    checkpointSignature: text(),
    checkpointAt: timestamp({ withTimezone: true }),
  },
  (t) => [check("auth_event_chain_one_row", sql`${t.id} = 1`)],
);

/**
 * An external issuer's identity (OIDC_ISSUER: its `iss` and `sub`) linked to one of our users,
 * created on first use. The only way a foreign token reaches an account: a foreign `sub` is
 * never looked up in `users` (it could equal one of our ids), and the same `sub` from two
 * issuers is two identities.
 */
export const externalIdentities = pgTable(
  "external_identities",
  {
    issuer: text().notNull(),
    subject: text().notNull(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.issuer, t.subject] }), index("external_identities_user_id_idx").on(t.userId)],
);

export const externalIdentitiesRelations = relations(externalIdentities, ({ one }) => ({
  user: one(users, { fields: [externalIdentities.userId], references: [users.id] }),
}));

export type User = typeof users.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;
export type Note = typeof notes.$inferSelect;
