import { AuthError } from "@gatehouse/auth/errors";
import type { Database } from "@gatehouse/db/client";
import type { ChainKey } from "../server/auth-event-key";
import { createApiKey } from "../server/create-api-key";
import { scopes } from "../server/scopes";
import { CliError, type Output, UsageError } from "./cli-error";
import { findUserOrFail } from "./find-user";
import { recordOperatorEvent } from "./operator-event";
import { formatTime, parseExpiresInDays, parseKeyName, parseScopesOption } from "./options";

export interface KeysCreateInput {
  email?: string | undefined;
  name?: string | undefined;
  /** Space- or comma-separated, e.g. "notes:read notes:write". */
  scopes?: string | undefined;
  expiresInDays?: string | undefined;
  /** A key that lives until revoked: an explicit choice, never the default. */
  neverExpires?: boolean | undefined;
}

export interface KeysCreateContext {
  database: Database;
  output: Output;
  /** Key prefix environment, as the app uses: "live" in production, "test" otherwise. */
  environment: string;
  /** Signs the security log entry this command appends. */
  key: ChainKey;
  now?: () => Date;
}

/**
 * Mints a key for a user, as the keys page does: only scopes this app knows, only scopes the
 * user holds, expiring in 90 days unless `--expires-in-days` or `--never-expires` says otherwise. The key alone goes to stdout (so `KEY=$(pnpm gatehouse keys create …)` works);
 * the details and the warning go to stderr. Nothing but its SHA-256 is stored.
 */
export async function keysCreate(input: KeysCreateInput, context: KeysCreateContext): Promise<void> {
  const name = parseKeyName(input.name);
  const requested = parseScopesOption(input.scopes, (scope) => scopes.has(scope));
  if (input.neverExpires && input.expiresInDays !== undefined) {
    throw new UsageError("Use --expires-in-days or --never-expires, not both");
  }
  // Absent: createApiKey's 90-day default. `null`: never, because the operator said so.
  const expiresInDays = input.neverExpires ? null : parseExpiresInDays(input.expiresInDays);
  const { db } = context.database;
  const owner = await findUserOrFail(db, input.email);
  if (owner.disabledAt) throw new CliError(`${owner.email} is disabled; its keys would not work`);
  let row: Awaited<ReturnType<typeof createApiKey>>;
  try {
    row = await createApiKey(db, {
      owner,
      name,
      scopes: requested,
      expiresInDays,
      environment: context.environment,
      now: context.now?.() ?? new Date(),
    });
  } catch (error) {
    // A key never holds more than its owner (and the verifier checks again at every use).
    if (error instanceof AuthError) {
      throw new CliError(`${error.message} (${owner.email} holds: ${owner.scopes.join(" ") || "no scopes"})`);
    }
    throw error;
  }
  const { err } = context.output;
  err(`Created API key "${row.name}" for ${owner.email}`);
  err(`  id       ${row.id}`);
  err(`  scopes   ${row.scopes.join(" ")}`);
  err(`  expires  ${row.expiresAt ? formatTime(row.expiresAt) : "never (until revoked)"}`);
  err("");
  err("This is the only time the key is shown; it cannot be recovered (only its SHA-256 is stored).");
  err("Store it in a secret manager now, and never commit it:");
  err("");
  context.output.out(row.key);
  await recordOperatorEvent(context, {
    type: "api_key.created",
    userId: owner.id,
    detail: `API key ${row.id} (${row.scopes.join(" ")})`,
    change: `API key ${row.id} was created`,
  });
}
