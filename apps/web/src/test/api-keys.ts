import type { Db } from "@gatehouse/db/client";
import { createApiKey } from "~/server/create-api-key";
import { DEFAULT_USER_SCOPES } from "~/server/scopes";
import { createTestUser } from "./users";

/**
 * A new user holding one key, minted by the app's own `createApiKey` (the keys page's and the
 * CLI's rules). The owner holds the default account scopes plus the key's (an operator granted
 * them), so a key may hold a scope no account has by default, such as `tokens:introspect`.
 */
export async function createTestApiKey(
  db: Db,
  options: {
    scopes?: readonly string[];
    environment?: string;
    name?: string;
    /** As `createApiKey` takes it: omitted = the 90-day default, `null` = never. */
    expiresInDays?: number | null;
    /** When the key was minted (its expiry counts from here). Default: now. */
    now?: Date;
  } = {},
) {
  const owner = await createTestUser(db, { scopes: [...new Set([...DEFAULT_USER_SCOPES, ...(options.scopes ?? [])])] });
  const created = await createApiKey(db, {
    owner,
    name: options.name ?? "test key",
    scopes: options.scopes ?? ["notes:read"],
    environment: options.environment ?? "test",
    expiresInDays: options.expiresInDays,
    now: options.now ?? new Date(),
  });
  return { owner, ...created };
}
