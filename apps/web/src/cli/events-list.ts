import { listUserAuthEvents } from "@gatehouse/db/auth-events";
import type { Database } from "@gatehouse/db/client";
import type { Output } from "./cli-error";
import { findUserOrFail } from "./find-user";
import { formatTable, formatTime, parseDays } from "./options";

/** `--limit`: 1 to 1000 events, default 50. */
export function parseEventLimit(value: string | undefined): number {
  return parseDays(value, "limit", 1000) ?? 50;
}

/** A user's recent security events, newest first: what the account page shows, with the detail column. */
export async function eventsList(
  input: { email?: string | undefined; limit: number },
  context: { database: Database; output: Output },
): Promise<void> {
  const user = await findUserOrFail(context.database.db, input.email);
  const events = await listUserAuthEvents(context.database.db, user, input.limit);
  if (events.length === 0) {
    context.output.err(`No security events recorded for ${user.email}`);
    return;
  }
  const table = formatTable([
    ["ID", "WHEN", "EVENT", "ADDRESS", "USER AGENT", "DETAIL"],
    ...events.map((event) => [
      String(event.id),
      formatTime(event.createdAt),
      event.type,
      event.address ?? "-",
      event.userAgent ?? "-",
      event.detail ?? "-",
    ]),
  ]);
  for (const line of table) context.output.out(line);
}
