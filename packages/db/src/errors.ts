/**
 * What a database error means, and what of it may be written down.
 *
 * - `isDatabaseUnavailable`: the one classification of "the database is not there right now"
 *   (refused, reset, timed out, shutting down, starting up, the pool ended) — the app answers
 *   those with 503 + Retry-After, everything else is a bug (500). Walks `cause` chains, so
 *   drizzle's `DrizzleQueryError` wrapping a postgres.js error is classified by the latter.
 * - `describeDatabaseError`: one line for a log, without bound parameters or values. drizzle's
 *   message is `Failed query: <sql>\nparams: <values>` and postgres.js errors carry
 *   `parameters`/`args`, and a `detail` such as `Key (email)=(ada@example.com) already exists`:
 *   none of that is kept. The SQL text (placeholders only), SQLSTATE and identifiers are.
 */

/** Node socket errors and postgres.js's own connection codes. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
]);

/** SQLSTATEs that say "not now" rather than "your query is wrong" (PostgreSQL Appendix A). */
const UNAVAILABLE_SQLSTATES = new Set([
  "57014", // query_canceled: statement_timeout fired
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up or shutting down
  "57P05", // idle_session_timeout
  "53300", // too_many_connections
]);

const MAX_DEPTH = 8;

function* causes(error: unknown): Generator<Record<string, unknown>> {
  let current = error;
  for (let depth = 0; depth < MAX_DEPTH && typeof current === "object" && current !== null; depth++) {
    yield current as Record<string, unknown>;
    current = (current as { cause?: unknown }).cause;
  }
}

/** True when the error (or a cause) says the database cannot be reached or is not serving now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const link of causes(error)) {
    const code = typeof link.code === "string" ? link.code : undefined;
    if (code === undefined) continue;
    // Class 08: connection exceptions (08000, 08003, 08006, 08001, 08004…).
    if (CONNECTION_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  return false;
}

/** Identifiers a PostgresError names (schema, not data): kept, they say where it went wrong. */
const IDENTIFIER_FIELDS = ["table_name", "column_name", "constraint_name", "routine"] as const;

/**
 * A one-line, value-free account of an error and its causes, for logs:
 * `DrizzleQueryError: Failed query: insert into "notes" … ($1, $2) ← PostgresError 22021: invalid byte sequence…`.
 */
export function describeDatabaseError(error: unknown): string {
  const parts: string[] = [];
  for (const link of causes(error)) parts.push(describeOne(link));
  if (parts.length === 0) parts.push(typeof error === "string" ? redactQuoted(error) : String(error));
  return parts.join(" ← ");
}

function describeOne(link: Record<string, unknown>): string {
  const code = typeof link.code === "string" ? ` ${link.code}` : "";
  const message = typeof link.message === "string" ? link.message : "";
  // drizzle's message is "Failed query: <sql>\nparams: <values>": keep the SQL (placeholders only).
  const shown =
    typeof link.query === "string" && message.startsWith("Failed query")
      ? `Failed query: ${oneLine(link.query)}`
      : // Server messages quote values (`invalid input syntax for type uuid: "…"`): drop every quoted
        // part, and a drizzle-style params line copied into another error's message.
        redactQuoted(oneLine(message.replace(/\nparams:[\s\S]*$/, "")));
  const identifiers = IDENTIFIER_FIELDS.flatMap((field) =>
    typeof link[field] === "string" ? [`${field}=${link[field]}`] : [],
  );
  const text = `${nameOf(link)}${code}: ${shown}`;
  return identifiers.length ? `${text} (${identifiers.join(", ")})` : text;
}

/** drizzle's DrizzleQueryError keeps the name "Error"; its class name says more. */
function nameOf(link: Record<string, unknown>): string {
  const name = typeof link.name === "string" ? link.name : "Error";
  const className = (link.constructor as { name?: unknown } | undefined)?.name;
  return name === "Error" && typeof className === "string" && className !== "Object" ? className : name;
}

function redactQuoted(text: string): string {
  return text.replace(/"[^"]*"/g, '"…"').replace(/'[^']*'/g, "'…'");
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 500);
}
