/**
 * YOU PROBABLY DON'T NEED TO EDIT THIS FILE, UNLESS:
 * 1. you want to change what the request context holds, or
 * 2. you want a new kind of procedure (a reusable auth requirement).
 *
 * Routers use the builders at the bottom: `publicProcedure`, `protectedProcedure`,
 * `scopedProcedure("notes:write")`, `userProcedure`.
 */
import {
  type AuthError,
  Forbidden,
  isAuthError,
  type ProblemDetails,
  ServiceUnavailable,
  Unauthorized,
} from "@gatehouse/auth/errors";
import type { Principal } from "@gatehouse/auth/principal";
import { missingScope } from "@gatehouse/auth/scopes";
import type { Database } from "@gatehouse/db/client";
import { findUserById, type User } from "@gatehouse/db/users";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { env } from "~/env";
import { getAuth } from "./auth";
import { databaseUnavailable } from "./database-unavailable";
import { getDatabase } from "./db";
import { INTERNAL_ERROR_DETAIL, type InternalErrorProblem, internalErrorProblem, requestIdOf } from "./internal-error";
import { withinDeadline } from "./request-deadline";
import { type AppScope, scopeValidator } from "./scopes";

/* ---------------------------------------------------------------- 1. Context */

export type CredentialSource = "header" | "cookie";

export interface CreateContextOptions {
  headers: Headers;
  /** The database to use; tests pass their own. Default: the app's database, opened lazily. */
  database?: () => Promise<Database>;
}

/**
 * Resolves who is calling from the request headers. Knows nothing of Next: the route
 * handler, the RSC caller and tests all call it with `{ headers }`.
 */
export async function createContext({ headers, database = getDatabase }: CreateContextOptions) {
  const auth = await getAuth();
  let principal: Principal | null = null;
  let source: CredentialSource | null = null;
  let authError: AuthError | null = null;
  try {
    principal = await auth.headerAuthenticator.authenticate(headers);
    if (principal) source = "header";
  } catch (error) {
    authError = toAuthError(error);
  }
  if (!principal && !authError) {
    // An expired or foreign session cookie means "signed out", not an error: browsers send it unasked.
    principal = await auth.cookieAuthenticator.authenticate(headers).catch(() => null);
    if (principal) source = "cookie";
  }

  let userLoad: Promise<User> | undefined;
  /** The database user behind the principal (the key's owner for an API key), loaded once, lazily. */
  const user = (): Promise<User> => {
    if (!principal) return Promise.reject(auth.headerAuthenticator.required());
    userLoad ??= loadUser(database, principal.subject);
    return userLoad;
  };

  return { headers, principal, source, authError, database, user };
}

async function loadUser(database: () => Promise<Database>, id: string): Promise<User> {
  let row: User | undefined;
  try {
    row = await findUserById((await database()).db, id);
  } catch (cause) {
    throw databaseUnavailable(cause) ?? cause;
  }
  if (!row || row.disabledAt) throw new Unauthorized("This account no longer exists or is disabled");
  return row;
}

function toAuthError(error: unknown): AuthError {
  if (isAuthError(error)) return error;
  return new ServiceUnavailable("Authentication is temporarily unavailable", { cause: error });
}

export type Context = Awaited<ReturnType<typeof createContext>>;

/* ------------------------------------------------------------ 2. Initialise */

/** What a procedure requires, kept as data so docs and tests read the same object the middleware enforces. */
export interface AuthRequirement {
  /** All of these scopes are required; empty = any authenticated caller. */
  scopes: readonly AppScope[];
}

export interface Meta {
  auth?: AuthRequirement;
}

const STATUS_TO_CODE = { 401: "UNAUTHORIZED", 403: "FORBIDDEN", 503: "SERVICE_UNAVAILABLE" } as const;

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      // An unexpected error's message is its cause's (drizzle's has the SQL and its parameters):
      // the client gets a fixed text and the request id the route's onError logged it under.
      const internal = error.code === "INTERNAL_SERVER_ERROR" && !isAuthError(cause);
      const problem: ProblemDetails | InternalErrorProblem | null = isAuthError(cause)
        ? cause.toProblem()
        : internal
          ? internalErrorProblem(requestIdOf(error))
          : null;
      // Never leak internals: no stack on the wire, in any environment.
      const { stack: _stack, ...data } = shape.data;
      return {
        ...shape,
        message: internal ? INTERNAL_ERROR_DETAIL : shape.message,
        data: {
          ...data,
          problem,
          zodError: cause instanceof ZodError ? cause.flatten() : null,
        },
      };
    },
  });

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;
export const middleware = t.middleware;

/** Turns an AuthError into the matching tRPC error, keeping it as `cause` (for status, headers, problem). */
function toTRPCError(error: AuthError): TRPCError {
  const code = STATUS_TO_CODE[error.status as keyof typeof STATUS_TO_CODE] ?? "UNAUTHORIZED";
  return new TRPCError({ code, message: error.detail, cause: error });
}

/* ------------------------------------------------------------ 3. Procedures */

/**
 * CSRF guard for mutations authenticated by the ambient session cookie: the request must
 * come from our own origin (Origin = Host) and carry JSON, which a cross-site form cannot
 * send without a CORS preflight. Header credentials (bearer, API key) are not ambient.
 */
function assertSameOrigin(headers: Headers): void {
  const origin = headers.get("origin");
  const host = headers.get("x-forwarded-host") ?? headers.get("host");
  const json = (headers.get("content-type") ?? "").toLowerCase().startsWith("application/json");
  if (origin === null || host === null || originHost(origin) !== host || !json) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Cross-site request refused (CSRF protection)" });
  }
}

/** The `host` of an Origin header; `null` for an unparsable one (`Origin: null` included). */
function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/**
 * A credential that was sent but is bad is a 401 even on public procedures (never a silent
 * anonymous), and an AuthError thrown deeper (say by `ctx.user()`) keeps its 401/403/503.
 * A database that is down or restarting, wherever a procedure met it, is a 503 here — the one
 * place, so no router has to catch it — and so is a procedure still waiting past REQUEST_TIMEOUT_MS.
 */
const authBoundary = t.middleware(async ({ ctx, type, next }) => {
  if (ctx.authError) throw toTRPCError(ctx.authError);
  if (type === "mutation" && ctx.source === "cookie") assertSameOrigin(ctx.headers);
  let result: Awaited<ReturnType<typeof next>>;
  try {
    result = await withinDeadline(next(), env().requestTimeoutMs);
  } catch (error) {
    throw toTRPCError(error as AuthError);
  }
  if (!result.ok && result.error.code === "INTERNAL_SERVER_ERROR") {
    const cause = result.error.cause;
    const known = isAuthError(cause) ? cause : databaseUnavailable(cause);
    if (known) return { ...result, error: toTRPCError(known) };
  }
  return result;
});

/** Enforces `meta.auth`: a principal, then every required scope. Narrows `ctx.principal` to non-null. */
const enforceRequirement = t.middleware(async ({ ctx, meta, next }) => {
  if (!ctx.principal) throw toTRPCError((await getAuth()).headerAuthenticator.required());
  const missing = missingScope(scopeValidator, ctx.principal.scopes, meta?.auth?.scopes ?? []);
  if (missing) throw toTRPCError(Forbidden.missingScope(missing));
  return next({ ctx: { principal: ctx.principal } });
});

/** Anyone. `ctx.principal` is the caller or `null`. */
export const publicProcedure = t.procedure.use(authBoundary);

/** Any authenticated caller: a browser session, an API key, or a bearer token. */
export const protectedProcedure = publicProcedure.meta({ auth: { scopes: [] } }).use(enforceRequirement);

/** Authenticated and holding every listed scope (checked against the registry at compile time). */
export function scopedProcedure(...required: [AppScope, ...AppScope[]]) {
  return publicProcedure.meta({ auth: { scopes: required } }).use(enforceRequirement);
}

/** Authenticated and backed by a live database user, available as `ctx.account`. */
export const userProcedure = protectedProcedure.use(async ({ ctx, next }) =>
  next({ ctx: { account: await ctx.user() } }),
);
