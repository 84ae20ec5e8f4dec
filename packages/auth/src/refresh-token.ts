/**
 * Refresh tokens with rotation and reuse detection (RFC 9700 §4.14.2, OAuth 2.0 Security BCP).
 *
 * A refresh token is opaque and high-entropy (`ghr_` + 256 random bits, base64url); only its
 * SHA-256 is stored. Every use spends it and returns a successor in the same *family* (one
 * sign-in). Presenting a spent token again means two parties hold it — the legitimate client
 * and a thief — and we cannot tell which is which, so the whole family is revoked.
 *
 * One exception, the grace window: two browser tabs that refresh at the same moment send the
 * same cookie, and a client whose answer was lost retries. If the token was spent less than
 * `reuseGraceSeconds` ago and its successor has not been used yet, the late caller gets the
 * *same* successor (an idempotent retry), never a second live token: a family is one chain.
 * Outside that window, or once the successor has itself been used, reuse revokes. A thief who
 * replays inside the window therefore shares the victim's chain, and the next time the two
 * diverge (one uses the successor's successor, or uses the successor again after the window)
 * the family is revoked for both.
 *
 * How the same successor can be given twice when only hashes are stored: the successor is not
 * random but `ghr_` + HMAC-SHA-256(successorKey, parent token). Only the server can compute it
 * (a client holding a spent token cannot walk the chain to the live one), every instance
 * computes the same one, and nothing secret is stored: the alternative, sealing the successor
 * and keeping it for the window, would need a key too and a column holding a live token.
 *
 * A family also has an absolute lifetime (`absoluteTtlSeconds` from the sign-in, kept on every
 * row as `familyCreatedAt`): rotation slides a token's expiry, never past that deadline.
 *
 * Storage is a port (`RefreshTokenStore`); `@gatehouse/db/refresh-tokens` implements it.
 */
import { createHmac } from "node:crypto";
import { covers, intersectScopes } from "./lib/grant-scopes";
import { sha256Hex } from "./lib/sha256";
import type { ScopeValidator } from "./scopes";

const REFRESH_TOKEN_PREFIX = "ghr_";
const TOKEN_PATTERN = /^ghr_[A-Za-z0-9_-]{43}$/;
const MAX_USER_AGENT_LENGTH = 512;

/** A new row for the store. Ids are chosen here so the store can link a token to its successor. */
export interface NewRefreshToken {
  id: string;
  familyId: string;
  userId: string;
  /** Hex SHA-256 of the token. */
  tokenHash: string;
  scopes: readonly string[];
  userAgent: string | null;
  createdAt: Date;
  /** When the family's first token was issued (the sign-in), copied to every successor. */
  familyCreatedAt: Date;
  expiresAt: Date;
}

/** A stored token as `findByHash` returns it, with what `rotate` needs to decide. */
export interface StoredRefreshToken {
  id: string;
  familyId: string;
  userId: string;
  scopes: readonly string[];
  userAgent: string | null;
  createdAt: Date;
  familyCreatedAt: Date;
  expiresAt: Date;
  /** When this token was exchanged for its successor; `null` while it is live. */
  usedAt: Date | null;
  /** The successor issued when this token was spent. */
  replacedBy: string | null;
  /** True when this token **or any token of its family** is revoked: revocation is per family. */
  revoked: boolean;
  /** True when the successor (`replacedBy`) has itself been spent. */
  successorUsed: boolean;
  /** The owner's current state, read with the token: a disabled user cannot refresh. */
  userDisabled: boolean;
  /** The owner's current scopes: a successor never carries more than the user holds now. */
  userScopes: readonly string[];
}

/** One live sign-in, for a "your sessions" page. */
export interface RefreshTokenFamily {
  familyId: string;
  userAgent: string | null;
  /** When the family's first token was issued (the sign-in). */
  createdAt: Date;
  /** When a token of the family was last exchanged; `null` if never. */
  lastUsedAt: Date | null;
  /** Expiry of the family's newest live token. */
  expiresAt: Date;
}

/** Storage port. Every method may throw when the database is unreachable. */
export interface RefreshTokenStore {
  insert(token: NewRefreshToken): Promise<void>;
  findByHash(tokenHash: string): Promise<StoredRefreshToken | undefined>;
  /**
   * Atomically: mark token `spentId` used at `usedAt` with `replacedBy = successor.id`, and
   * insert `successor` — only if the token is still unused and its family unrevoked.
   * Resolves `false` (and writes nothing) when another caller spent it first. Implement as a
   * conditional `UPDATE … WHERE used_at IS NULL … RETURNING` plus the insert, in one transaction;
   * a check then a separate write lets two concurrent callers both win. `tokenHash` is unique.
   */
  exchange(spentId: string, usedAt: Date, successor: NewRefreshToken): Promise<boolean>;
  /** Revokes every token of the family (of that user, when `userId` is given). Resolves the count. */
  revokeFamily(familyId: string, at: Date, userId?: string): Promise<number>;
  revokeAllForUser(userId: string, at: Date): Promise<number>;
  /** Families with no revoked token and at least one live (unused, unexpired) token, most recently active first. */
  listActiveFamilies(userId: string, now: Date): Promise<RefreshTokenFamily[]>;
}

export type RefreshTokenErrorReason =
  | "malformed"
  | "unknown"
  | "expired"
  | "revoked"
  | "reused"
  | "user_disabled"
  | "scope_not_held"
  /** A retry within grace whose successor this service cannot recompute (its key changed). */
  | "successor_mismatch";

// A global symbol, not `instanceof`: bundlers may load this module twice (Next.js server
// layers); a refusal made by one copy must not look like an outage to the other.
const REFRESH_TOKEN_ERROR_BRAND = Symbol.for("@gatehouse/auth/RefreshTokenError");

/**
 * A refused refresh token. `code` is the OAuth error (`invalid_grant`, or `invalid_scope`
 * when a narrower scope was requested that the token does not hold); `reason` is for logs
 * and tests, never for the client (it would tell a thief which tokens exist).
 */
export class RefreshTokenError extends Error {
  readonly [REFRESH_TOKEN_ERROR_BRAND] = true;
  readonly code: "invalid_grant" | "invalid_scope";
  constructor(readonly reason: RefreshTokenErrorReason) {
    super(reason === "scope_not_held" ? "Requested scope exceeds the granted scope" : "Invalid refresh token");
    this.name = "RefreshTokenError";
    this.code = reason === "scope_not_held" ? "invalid_scope" : "invalid_grant";
  }
}

/** True for any `RefreshTokenError`, even one made by another copy of this module. */
export function isRefreshTokenError(error: unknown): error is RefreshTokenError {
  return (
    typeof error === "object" &&
    error !== null &&
    (error as Record<symbol, unknown>)[REFRESH_TOKEN_ERROR_BRAND] === true
  );
}

export interface RefreshTokenServiceOptions {
  store: RefreshTokenStore;
  /** Decides which scopes cover which (wildcards, action hierarchy); use the endpoint's. */
  scopeValidator: ScopeValidator;
  /**
   * Secret (at least 32 bytes) under which successors are derived from their parent, so a
   * retry within the grace window gets the same successor. Every instance must use the same
   * one; changing it only refuses retries in flight (no revocation). Required.
   */
  successorKey: Uint8Array;
  /** Lifetime of each token; rotation slides it. Default: 2 592 000 (30 days). */
  ttlSeconds?: number;
  /** A family's absolute lifetime from its sign-in; no rotation extends it. Default: 7 776 000 (90 days). */
  absoluteTtlSeconds?: number;
  /** How long a just-spent token may still be retried for the same successor (two tabs). Default: 30; 0 disables. */
  reuseGraceSeconds?: number;
  /**
   * Told (and awaited) when reuse detection revokes a family, so the app can refuse the
   * family's access tokens too: the thief's included. Default: nothing.
   */
  onReuseRevoked?: (familyId: string) => Promise<void> | void;
  /** Clock in ms, for tests. Default: `Date.now`. */
  now?: () => number;
}

export interface IssuedRefreshToken {
  token: string;
  familyId: string;
  expiresAt: Date;
}

export interface RotatedRefreshToken extends IssuedRefreshToken {
  userId: string;
  /** What the new refresh token carries: the family's scopes cut to what the user holds now. */
  scopes: string[];
  /** What an access token may carry: the requested scopes, or `scopes` when none were requested. */
  grantedScopes: string[];
}

export interface InspectedRefreshToken {
  userId: string;
  /** What a refresh from it would carry now: the family's scopes cut to what the user holds. */
  scopes: string[];
  issuedAt: Date;
  expiresAt: Date;
}

export interface RefreshTokenService {
  /** Starts a family (a sign-in). */
  issue(input: { userId: string; scopes: readonly string[]; userAgent?: string | null }): Promise<IssuedRefreshToken>;
  /**
   * Spends `token` and returns its successor, or throws `RefreshTokenError`; within the grace
   * window a spent token returns the successor it was already exchanged for. `requestedScopes`
   * (RFC 6749 §6) narrows the access token only; it is checked before anything is spent.
   */
  rotate(token: string, options?: { requestedScopes?: readonly string[] }): Promise<RotatedRefreshToken>;
  /**
   * The token's owner, scopes and expiry while it is live (unspent, unrevoked, unexpired, its
   * owner enabled), else `null`; for introspection (RFC 7662). Reads only, never spends.
   */
  inspect(token: string): Promise<InspectedRefreshToken | null>;
  /**
   * Sign-out: revokes the token's family and resolves its id (for revoking the family's access
   * tokens too); `null` for unknown or malformed tokens, which are ignored (RFC 7009 §2.2).
   */
  revoke(token: string): Promise<string | null>;
  /** Revokes one sign-in of `userId` ("sign out that device"); `false` when no such family is theirs. */
  revokeFamily(userId: string, familyId: string): Promise<boolean>;
  /** Signs the user out everywhere (password change, account disabled). Resolves the count revoked. */
  revokeAllForUser(userId: string): Promise<number>;
  listActiveFamilies(userId: string): Promise<RefreshTokenFamily[]>;
}

/** A fresh token: `ghr_` + 32 random bytes in base64url (43 characters). */
export function generateRefreshToken(): string {
  return REFRESH_TOKEN_PREFIX + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

/** True when `value` has the shape of one of our refresh tokens (checked before any lookup). */
export function isRefreshTokenFormat(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

/** `ghr_` + HMAC-SHA-256(key, parent) in base64url: the one successor `parent` can ever have. */
function deriveSuccessor(key: Uint8Array, parent: string): string {
  return REFRESH_TOKEN_PREFIX + createHmac("sha256", key).update(parent).digest("base64url");
}

/** Hex SHA-256 of the token, as stored. A plain hash suffices: the token has 256 bits of entropy. */
export async function hashRefreshToken(token: string): Promise<string> {
  return sha256Hex(token);
}

export function createRefreshTokenService(options: RefreshTokenServiceOptions): RefreshTokenService {
  const { store, scopeValidator } = options;
  const ttlMs = (options.ttlSeconds ?? 30 * 24 * 3600) * 1000;
  const absoluteMs = (options.absoluteTtlSeconds ?? 90 * 24 * 3600) * 1000;
  const graceMs = (options.reuseGraceSeconds ?? 30) * 1000;
  const clock = options.now ?? Date.now;
  if (!store) throw new TypeError("createRefreshTokenService: store is required");
  if (!scopeValidator) throw new TypeError("createRefreshTokenService: scopeValidator is required");
  if (!(options.successorKey instanceof Uint8Array) || options.successorKey.byteLength < 32) {
    throw new TypeError("createRefreshTokenService: successorKey must be a secret of at least 32 bytes");
  }
  const successorKey = Uint8Array.from(options.successorKey);
  for (const [name, ms] of [
    ["ttlSeconds", ttlMs],
    ["absoluteTtlSeconds", absoluteMs],
  ] as const) {
    if (!Number.isInteger(ms / 1000) || ms <= 0) {
      throw new TypeError(`createRefreshTokenService: ${name} must be a positive integer`);
    }
  }
  if (!(graceMs >= 0) || graceMs >= Math.min(ttlMs, absoluteMs)) {
    throw new TypeError(
      "createRefreshTokenService: reuseGraceSeconds must be ≥ 0 and shorter than ttlSeconds and absoluteTtlSeconds",
    );
  }

  /** The family's deadline: no token of it lives past its sign-in + the absolute lifetime. */
  const familyDeadline = (familyCreatedAt: Date) => familyCreatedAt.getTime() + absoluteMs;
  const expiryFor = (at: Date, familyCreatedAt: Date) =>
    new Date(Math.min(at.getTime() + ttlMs, familyDeadline(familyCreatedAt)));

  /** The scopes a rotation from `token` carries and grants, or a refusal when more were requested. */
  const grant = (token: StoredRefreshToken, requestedScopes: readonly string[] | undefined) => {
    // What the user still holds, and never more than the family was granted at sign-in.
    const scopes = intersectScopes(scopeValidator, token.scopes, token.userScopes);
    const grantedScopes = requestedScopes ? [...new Set(requestedScopes)] : scopes;
    // A malformed requested scope is held by no one.
    if (requestedScopes && !grantedScopes.every((scope) => covers(scopeValidator, scopes, scope))) {
      throw new RefreshTokenError("scope_not_held");
    }
    return { scopes, grantedScopes };
  };

  const reuse = async (stored: StoredRefreshToken, at: Date): Promise<never> => {
    await store.revokeFamily(stored.familyId, at);
    await options.onReuseRevoked?.(stored.familyId);
    throw new RefreshTokenError("reused");
  };

  const lookup = async (token: string) =>
    isRefreshTokenFormat(token) ? store.findByHash(await hashRefreshToken(token)) : undefined;

  return {
    async issue({ userId, scopes, userAgent }) {
      const at = new Date(clock());
      const token = generateRefreshToken();
      const row: NewRefreshToken = {
        id: crypto.randomUUID(),
        familyId: crypto.randomUUID(),
        userId,
        tokenHash: await hashRefreshToken(token),
        scopes: [...scopes],
        userAgent: truncate(userAgent ?? null),
        createdAt: at,
        familyCreatedAt: at,
        expiresAt: expiryFor(at, at),
      };
      await store.insert(row);
      return { token, familyId: row.familyId, expiresAt: row.expiresAt };
    },

    async rotate(token, { requestedScopes } = {}) {
      if (!isRefreshTokenFormat(token)) throw new RefreshTokenError("malformed");
      const tokenHash = await hashRefreshToken(token);
      const successor = deriveSuccessor(successorKey, token);
      const successorHash = await hashRefreshToken(successor);
      const at = new Date(clock());
      // Two rounds at most: if a concurrent caller spends the token between our read and our
      // exchange, read it again and answer as a retry (same successor) or as reuse.
      for (let round = 0; round < 2; round++) {
        const stored = await store.findByHash(tokenHash);
        if (!stored) throw new RefreshTokenError("unknown");
        if (stored.revoked) throw new RefreshTokenError("revoked");
        if (stored.userDisabled) throw new RefreshTokenError("user_disabled");

        if (stored.usedAt) {
          const withinGrace = at.getTime() - stored.usedAt.getTime() < graceMs;
          if (!withinGrace || stored.successorUsed || !stored.replacedBy) return reuse(stored, at);
          // A retry: answer with the successor already stored, so the family stays one chain.
          const next = await store.findByHash(successorHash);
          if (!next || next.id !== stored.replacedBy) throw new RefreshTokenError("successor_mismatch");
          if (next.usedAt) return reuse(stored, at);
          if (next.revoked) throw new RefreshTokenError("revoked");
          if (next.expiresAt.getTime() <= at.getTime()) throw new RefreshTokenError("expired");
          const { scopes, grantedScopes } = grant(next, requestedScopes);
          return {
            token: successor,
            familyId: next.familyId,
            expiresAt: next.expiresAt,
            userId: next.userId,
            scopes,
            grantedScopes,
          };
        }
        if (stored.expiresAt.getTime() <= at.getTime() || familyDeadline(stored.familyCreatedAt) <= at.getTime()) {
          throw new RefreshTokenError("expired");
        }

        // Checked before anything is spent: a refused scope must not cost the client its session.
        const { scopes, grantedScopes } = grant(stored, requestedScopes);
        const row: NewRefreshToken = {
          id: crypto.randomUUID(),
          familyId: stored.familyId,
          userId: stored.userId,
          tokenHash: successorHash,
          scopes,
          userAgent: stored.userAgent,
          createdAt: at,
          familyCreatedAt: stored.familyCreatedAt,
          expiresAt: expiryFor(at, stored.familyCreatedAt),
        };
        if (await store.exchange(stored.id, at, row)) {
          return {
            token: successor,
            familyId: row.familyId,
            expiresAt: row.expiresAt,
            userId: row.userId,
            scopes,
            grantedScopes,
          };
        }
      }
      // Spent and re-read twice within one call: something keeps racing us; refuse safely.
      throw new RefreshTokenError("reused");
    },

    async inspect(token) {
      const stored = await lookup(token);
      const at = clock();
      if (!stored || stored.revoked || stored.userDisabled || stored.usedAt) return null;
      const expiresAt = Math.min(stored.expiresAt.getTime(), familyDeadline(stored.familyCreatedAt));
      if (expiresAt <= at) return null;
      return {
        userId: stored.userId,
        scopes: intersectScopes(scopeValidator, stored.scopes, stored.userScopes),
        issuedAt: stored.createdAt,
        expiresAt: new Date(expiresAt),
      };
    },

    async revoke(token) {
      const stored = await lookup(token);
      if (!stored) return null;
      if (!stored.revoked) await store.revokeFamily(stored.familyId, new Date(clock()));
      // Already revoked: its access tokens may still need refusing on an instance that missed it.
      return stored.familyId;
    },

    async revokeFamily(userId, familyId) {
      return (await store.revokeFamily(familyId, new Date(clock()), userId)) > 0;
    },

    revokeAllForUser(userId) {
      return store.revokeAllForUser(userId, new Date(clock()));
    },

    listActiveFamilies(userId) {
      return store.listActiveFamilies(userId, new Date(clock()));
    },
  };
}

function truncate(userAgent: string | null): string | null {
  return userAgent === null ? null : userAgent.slice(0, MAX_USER_AGENT_LENGTH);
}
