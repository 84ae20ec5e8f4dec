/**
 * The operator CLI: `pnpm gatehouse keys create|list|revoke …`, `users set-scopes|disable|enable …`,
 * `jwks generate|rotate …`, `events [verify]`, `openapi`. Parses the command line,
 * opens the database only for a valid command, runs it, and maps failures to exit codes.
 * Imports nothing that is `server-only`: it runs under plain Node (tsx), not in Next.
 */
import { parseArgs } from "node:util";
import type { Database } from "@gatehouse/db/client";
import { env } from "~/env";
import { type ChainKey, loadChainKey } from "~/server/auth-event-key";
import { cleanup, parseRetentionDays } from "./cleanup";
import { CliError, EXIT_FAILED, EXIT_OK, EXIT_USAGE, type Output, UsageError } from "./cli-error";
import { assertSeedAllowed, dbMigrate, dbSeed } from "./db-commands";
import { eventsList, parseEventLimit } from "./events-list";
import { eventsVerify } from "./events-verify";
import { jwksGenerate, jwksRotate, parseAlgorithm, parseStep } from "./jwks";
import { keysCreate } from "./keys-create";
import { keysList } from "./keys-list";
import { keysRevoke } from "./keys-revoke";
import { usersDisable } from "./users-disable";
import { usersSetPassword } from "./users-set-password";
import { usersSetScopes } from "./users-set-scopes";

const USAGE = `Usage: pnpm gatehouse keys <command> [options]
       pnpm gatehouse users <command> [options]
       pnpm gatehouse events [verify] [options]
       pnpm gatehouse jwks <command> [options]
       pnpm gatehouse db migrate|seed
       pnpm gatehouse cleanup [--older-than-days <days>]
       pnpm gatehouse openapi > openapi.json

Commands:
  keys create  --email <email> --scopes "<scope> …" --name <name>
               [--expires-in-days <1-365, default 90> | --never-expires]
               Mint an API key for a user; prints the key once (stdout), details on stderr.
               Scopes must be known to the app and held by the user. Keys expire in 90 days
               unless told otherwise; --never-expires makes one that lives until revoked.
  keys list    --email <email>
               The user's keys: id, name, start, scopes, created, last used, expires, revoked.
  keys revoke  --email <email> --id <key id>
               Revoke a key; running app instances drop it from their caches at once.
  users set-scopes --email <email> --scopes "<scope> …"
               Replace a user's scopes; their API keys narrow at once in every running instance.
  users set-password --email <email>
               Set a user's password, read from standard input (never the command line):
               printf '%s' "$NEW_PASSWORD" | pnpm gatehouse users set-password --email …
               Every sign-in of the user ends and their access tokens are refused everywhere.
  users disable --email <email>
               Disable a user: no sign-in, and their API keys are refused at once everywhere.
  users enable  --email <email>
               Re-enable a disabled user.
  events       --email <email> [--limit <1-1000, default 50>]
               The user's recent security events (sign-ins, sign-outs, keys, refused scopes,
               and what keys/users commands changed: user agent "gatehouse CLI").
  events verify
               Check the security log's hash chain from its signed checkpoint to its signed
               head: prints OK and the head, or the first row edited, deleted or moved (exit 1).
  jwks generate [--alg ES256|EdDSA|RS256|PS256]
               Print a new private key set (one line of JSON) for AUTH_JWKS.
  jwks rotate  --step add|switch|retire [--alg …]
               From the AUTH_JWKS in force, print the next one: add a key (published, not
               signing), switch signing to it, retire the old one. One deploy per step; the
               command says how long to wait before the next. Needs no database.
  db migrate   Apply pending migrations (pnpm db:migrate): on Postgres under the advisory
               lock, on the embedded database through the dev server when it runs.
  db seed      Create the demo account and a few notes, once (pnpm db:seed). Not in production.
  cleanup      [--older-than-days <1-3650, default 30>]
               Delete refresh tokens and API keys dead for that long, and old sign-in attempts;
               prune security events older than AUTH_EVENTS_RETENTION_DAYS (default 90) behind a
               signed checkpoint, once the log verifies. Meant for a daily cron job.
  openapi      Print the OpenAPI 3.1 document (what /api/openapi.json serves) for client generators.

Options:
  -h, --help   Show this help.

Database: DATABASE_URL, or else the embedded database in <GATEHOUSE_DATA_DIR or .data>/pglite
(through the dev server when it is running).
Exit codes: 0 done, 1 failed, 2 wrong command line.`;

export interface RunContext {
  output: Output;
  /**
   * Opened once the command line is valid; closed by `run`. `"migrate"`: also apply pending
   * migrations through the embedded database's owner (`createDb`'s `"through-owner"`).
   */
  openDatabase(purpose?: "migrate"): Promise<Database>;
  /** Key prefix environment for new keys ("live" in production, "test" otherwise). */
  environment(): string;
  /** The security log's signing key. Default: derived from the app's key set (`AUTH_JWKS`). */
  chainKey?: () => Promise<ChainKey>;
  /** Days security events are kept. Default: `AUTH_EVENTS_RETENTION_DAYS`. */
  authEventsRetentionDays?: () => number;
  /** Standard input, whole (a secret piped in). Default: none, so `users set-password` fails. */
  readSecret?: () => Promise<string>;
  /** The app's OpenAPI document (`openapi`); loaded only for that command. */
  openApiDocument?(): Promise<unknown>;
  /** The key set in force (`AUTH_JWKS`), for `jwks rotate`. */
  currentJwks?: () => string | undefined;
}

const OPTIONS = {
  email: { type: "string" },
  scopes: { type: "string" },
  name: { type: "string" },
  id: { type: "string" },
  "expires-in-days": { type: "string" },
  "never-expires": { type: "boolean" },
  "older-than-days": { type: "string" },
  limit: { type: "string" },
  alg: { type: "string" },
  step: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Each command and the options it takes (`--help` goes with any). */
const ALLOWED: Record<string, readonly (keyof typeof OPTIONS)[]> = {
  "keys create": ["email", "scopes", "name", "expires-in-days", "never-expires"],
  "keys list": ["email"],
  "keys revoke": ["email", "id"],
  "users set-scopes": ["email", "scopes"],
  "users set-password": ["email"],
  "users disable": ["email"],
  "users enable": ["email"],
  cleanup: ["older-than-days"],
  events: ["email", "limit"],
  "events verify": [],
  openapi: [],
  "jwks generate": ["alg"],
  "jwks rotate": ["step", "alg"],
  "db migrate": [],
  "db seed": [],
};

/** Runs one command line (without `node` and the script); resolves to the exit code. */
export async function run(argv: readonly string[], context: RunContext): Promise<number> {
  const { output } = context;
  let database: Database | undefined;
  try {
    const { values, positionals } = parseCommandLine(argv);
    if (values.help || positionals[0] === "help") {
      output.out(USAGE);
      return EXIT_OK;
    }
    if (argv.length === 0) {
      output.err(USAGE);
      return EXIT_USAGE;
    }
    const name = commandName(positionals);
    const allowed = ALLOWED[name] ?? [];
    const stray = Object.keys(values).find(
      (option) => option !== "help" && !allowed.includes(option as keyof typeof OPTIONS),
    );
    if (stray) throw new UsageError(`${name} does not take --${stray}`);
    const chainKey = context.chainKey ?? (() => loadChainKey(env()));
    if (name === "openapi") {
      if (!context.openApiDocument) throw new CliError("this build has no OpenAPI document");
      output.out(JSON.stringify(await context.openApiDocument(), null, 2));
      return EXIT_OK;
    }
    if (name === "jwks generate") {
      await jwksGenerate({ alg: parseAlgorithm(values.alg) }, output);
      return EXIT_OK;
    }
    if (name === "jwks rotate") {
      const step = parseStep(values.step);
      await jwksRotate({ step, alg: parseAlgorithm(values.alg), current: context.currentJwks?.() }, output);
      return EXIT_OK;
    }
    if (name === "db migrate" || name === "db seed") {
      if (name === "db seed") assertSeedAllowed(context.environment());
      database = await openOrFail(context, name === "db migrate" ? "migrate" : undefined);
      if (name === "db migrate") await dbMigrate({ database, output });
      else await dbSeed({ database, output });
      return EXIT_OK;
    }
    if (name === "cleanup") {
      const olderThanDays = parseRetentionDays(values["older-than-days"]);
      const eventRetentionDays = (context.authEventsRetentionDays ?? (() => env().authEventsRetentionDays))();
      const key = await chainKey();
      database = await openOrFail(context);
      await cleanup({ olderThanDays, eventRetentionDays }, { database, output, key });
      return EXIT_OK;
    }
    if (name === "events") {
      const limit = parseEventLimit(values.limit);
      database = await openOrFail(context);
      await eventsList({ email: values.email, limit }, { database, output });
      return EXIT_OK;
    }
    if (name === "events verify") {
      const key = await chainKey();
      database = await openOrFail(context);
      await eventsVerify({ database, output, key });
      return EXIT_OK;
    }

    if (name === "keys list") {
      database = await openOrFail(context);
      await keysList({ email: values.email }, { database, output });
      return EXIT_OK;
    }

    // Every command below changes an account and appends its event to the security log
    // (./operator-event.ts). The log's key first: without it nothing is changed.
    const key = await chainKey();
    database = await openOrFail(context);
    if (name === "keys create") {
      await keysCreate(
        {
          email: values.email,
          name: values.name,
          scopes: values.scopes,
          expiresInDays: values["expires-in-days"],
          neverExpires: values["never-expires"],
        },
        { database, output, environment: context.environment(), key },
      );
    } else if (name === "keys revoke") {
      await keysRevoke({ email: values.email, id: values.id }, { database, output, key });
    } else if (name === "users set-password") {
      const readSecret = context.readSecret;
      if (!readSecret) throw new UsageError("users set-password reads the password from standard input");
      await usersSetPassword({ email: values.email }, { database, output, readSecret, key });
    } else if (name === "users set-scopes") {
      await usersSetScopes({ email: values.email, scopes: values.scopes }, { database, output, key });
    } else {
      await usersDisable({ email: values.email, disabled: name === "users disable" }, { database, output, key });
    }
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CliError) {
      output.err(`error: ${error.message}`);
      if (error.exitCode === EXIT_USAGE) output.err("Run `pnpm gatehouse --help` for usage.");
      return error.exitCode;
    }
    output.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_FAILED;
  } finally {
    await database?.close().catch(() => {});
  }
}

/** `cleanup`, `openapi`, `events [verify]` or `<group> <command>` (keys, users, jwks, db), one of `ALLOWED`; a UsageError for anything else. */
function commandName(positionals: readonly string[]): string {
  const [group, command, ...extra] = positionals;
  if (group === "cleanup" || group === "openapi") {
    if (command !== undefined) throw new UsageError(`Unexpected argument: ${command}`);
    return group;
  }
  if (group === "events") {
    if (command !== undefined && command !== "verify") throw new UsageError(`Unknown command: events ${command}`);
    if (extra.length > 0) throw new UsageError(`Unexpected argument: ${extra[0]}`);
    return command ? "events verify" : "events";
  }
  if (group !== "keys" && group !== "users" && group !== "jwks" && group !== "db") {
    throw new UsageError(group ? `Unknown command: ${group}` : "Missing command");
  }
  if (!command || !Object.hasOwn(ALLOWED, `${group} ${command}`)) {
    throw new UsageError(command ? `Unknown command: ${group} ${command}` : `Missing command after ${group}`);
  }
  if (extra.length > 0) throw new UsageError(`Unexpected argument: ${extra[0]}`);
  return `${group} ${command}`;
}

function parseCommandLine(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // node:util throws TypeError with ERR_PARSE_ARGS_* codes for unknown or malformed options.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function openOrFail(context: RunContext, purpose?: "migrate"): Promise<Database> {
  try {
    return await context.openDatabase(purpose);
  } catch (error) {
    // DataDirInUseError and connection failures already say what to do; add nothing but the prefix.
    throw new CliError(`cannot open the database: ${error instanceof Error ? error.message : String(error)}`);
  }
}
