import { deleteDeadApiKeys } from "@gatehouse/db/api-keys";
import { deleteAttemptsBefore } from "@gatehouse/db/auth-attempts";
import { verifyAuthEventChain } from "@gatehouse/db/auth-event-chain";
import { pruneAuthEvents } from "@gatehouse/db/auth-events";
import type { Database } from "@gatehouse/db/client";
import { deleteExpiredRefreshTokens } from "@gatehouse/db/refresh-tokens";
import type { ChainKey } from "~/server/auth-event-key";
import { CliError, type Output } from "./cli-error";
import { parseDays } from "./options";

/** Attempts older than this cannot matter to any throttle window we configure. */
const ATTEMPTS_KEPT_MS = 24 * 3600 * 1000;

/** `--older-than-days`: 1 to 3650, default 30. */
export function parseRetentionDays(value: string | undefined): number {
  return parseDays(value, "older-than-days", 3650) ?? 30;
}

/**
 * The cleanup job: refresh-token families expired, API keys expired or revoked, more than
 * `olderThanDays` ago, throttle attempts older than a day, and security events older than
 * `eventRetentionDays` (behind a signed checkpoint; only when the log verifies, so a
 * checkpoint never vouches for tampered rows: then exit 1 and nothing of the log is pruned).
 * Run it from cron; nothing on the request path deletes.
 */
export async function cleanup(
  input: { olderThanDays: number; eventRetentionDays: number; now?: Date },
  context: { database: Database; output: Output; key: ChainKey },
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
  const report = await verifyAuthEventChain(db, context.key.isSigned);
  if (!report.ok) {
    throw new CliError(
      `security log not pruned: it does not verify (${report.reason}); run \`pnpm gatehouse events verify\``,
    );
  }
  const eventsBefore = new Date(now.getTime() - input.eventRetentionDays * 86_400_000);
  const events = await pruneAuthEvents(db, eventsBefore, context.key.sign, now);
  context.output.err(`Pruned ${events} security event(s) older than ${input.eventRetentionDays} days.`);
}
