import { deleteDeadApiKeys } from "@gatehouse/db/api-keys";
import { deleteAttemptsBefore } from "@gatehouse/db/auth-attempts";
import type { Database } from "@gatehouse/db/client";
import { deleteExpiredRefreshTokens } from "@gatehouse/db/refresh-tokens";
import type { Output } from "./cli-error";
import { parseDays } from "./options";

/** Attempts older than this cannot matter to any throttle window we configure. */
const ATTEMPTS_KEPT_MS = 24 * 3600 * 1000;

/** `--older-than-days`: 1 to 3650, default 30. */
export function parseRetentionDays(value: string | undefined): number {
  return parseDays(value, "older-than-days", 3650) ?? 30;
}

/**
 * The cleanup job: refresh-token families expired, API keys expired or revoked, more than
 * `olderThanDays` ago, and throttle attempts older than a day. Run it from cron; nothing on
 * the request path deletes.
 */
export async function cleanup(
  input: { olderThanDays: number; now?: Date },
  context: { database: Database; output: Output },
): Promise<void> {
  const now = input.now ?? new Date();
  const before = new Date(now.getTime() - input.olderThanDays * 86_400_000);
  const { db } = context.database;
  const refreshTokens = await deleteExpiredRefreshTokens(db, before);
  const apiKeys = await deleteDeadApiKeys(db, before);
  const attempts = await deleteAttemptsBefore(db, new Date(now.getTime() - ATTEMPTS_KEPT_MS));
  context.output.err(
    `Deleted ${refreshTokens} refresh token(s), ${apiKeys} API key(s) dead since ${before.toISOString().slice(0, 10)}, ${attempts} old sign-in attempt(s).`,
  );
}
