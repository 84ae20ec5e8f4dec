/**
 * The operator CLI's entries in the security log (#11 §5): what `keys create|revoke` and
 * `users disable|enable|set-scopes|set-password` changed, appended to the same hash chain the
 * app writes (`appendAuthEvents`), signed with the same key, with no address and the user
 * agent `gatehouse CLI`, so the account page and `events --email` show who did it.
 *
 * Recorded right after the change commits, not in its transaction: a change is several
 * statements and NOTIFYs spread over shared server code (`user-access.ts`,
 * `access-revocation.ts`), and the running instances have already acted on it by then. The
 * chain key is loaded before anything changes (run.ts), so the failure known in advance (no
 * key) refuses the command with nothing changed. A failure after the change (the database
 * went away) does not undo it: these are often emergency steps (a leaked key, an account to
 * lock) that must not be rolled back because the log is down. Instead the command exits 1 and
 * says that the change is in effect and was not recorded, so it is never silent.
 *
 * Never recorded: the password, the key or any hash of them. Callers pass ids and scopes.
 */
import { appendAuthEvents } from "@gatehouse/db/auth-events";
import type { Database } from "@gatehouse/db/client";
import type { AuthEventType } from "~/lib/auth-event-types";
import type { ChainKey } from "~/server/auth-event-key";
import { CliError } from "./cli-error";

export const CLI_USER_AGENT = "gatehouse CLI";
/** The app's cap on a detail (auth-event-recorder.ts). */
const MAX_DETAIL_LENGTH = 200;

export interface OperatorEventLog {
  database: Database;
  key: ChainKey;
  now?: () => Date;
}

export interface OperatorEvent {
  type: AuthEventType;
  userId: string;
  /** What changed, without a secret: a key id and scopes, the new scopes. */
  detail: string | null;
  /** The change, as the operator would say it: named in the error if recording fails. */
  change: string;
}

/** Appends one event; a CliError (exit 1) saying the change stands if the append fails. */
export async function recordOperatorEvent(log: OperatorEventLog, event: OperatorEvent): Promise<void> {
  try {
    await appendAuthEvents(
      log.database.db,
      [
        {
          createdAt: log.now?.() ?? new Date(),
          type: event.type,
          userId: event.userId,
          subject: null,
          address: null,
          userAgent: CLI_USER_AGENT,
          detail: event.detail === null ? null : Array.from(event.detail).slice(0, MAX_DETAIL_LENGTH).join(""),
        },
      ],
      log.key.sign,
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(
      `${event.change} is done and stays in effect, but the security log did not record it (${reason}). ` +
        "Note it elsewhere; `pnpm gatehouse events verify` still checks the log as written.",
    );
  }
}
