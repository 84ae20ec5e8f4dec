import { type ApiKeyInfo, listApiKeys } from "@gatehouse/db/api-keys";
import type { Database } from "@gatehouse/db/client";
import type { Output } from "./cli-error";
import { findUserOrFail } from "./find-user";
import { formatTable, formatTime } from "./options";

export interface KeysListInput {
  email?: string | undefined;
}

/** The user's keys, newest first, revoked ones included. Never a secret, never a hash. */
export async function keysList(input: KeysListInput, context: { database: Database; output: Output }): Promise<void> {
  const owner = await findUserOrFail(context.database.db, input.email);
  const keys = await listApiKeys(context.database.db, owner.id);
  if (keys.length === 0) {
    context.output.err(`${owner.email} has no API keys`);
    return;
  }
  for (const line of formatKeyTable(keys)) context.output.out(line);
}

function formatKeyTable(keys: readonly ApiKeyInfo[]): string[] {
  return formatTable([
    ["ID", "NAME", "START", "SCOPES", "CREATED", "LAST USED", "EXPIRES", "REVOKED"],
    ...keys.map((key) => [
      key.id,
      key.name,
      `${key.start}…`,
      key.scopes.join(","),
      formatTime(key.createdAt),
      formatTime(key.lastUsedAt),
      formatTime(key.expiresAt),
      formatTime(key.revokedAt),
    ]),
  ]);
}
