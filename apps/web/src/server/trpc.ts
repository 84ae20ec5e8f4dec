/**
 * YOU PROBABLY DON'T NEED TO EDIT THIS FILE, UNLESS:
 * 1. you want to change what the request context holds, or
 * 2. you want a new kind of procedure (a reusable auth requirement).
 *
 * Routers use the builders at the bottom: `publicProcedure`, `protectedProcedure`,
 * `scopedProcedure("notes:write")`, `sessionProcedure`. Each states its `meta.auth`; the
 * authorization matrix test fails on a procedure that states none.
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
import { type ExternalIdentity, userForExternalIdentity } from "@gatehouse/db/external-identities";
import { findUserById, type User } from "@gatehouse/db/users";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { env } from "~/env";
import { getAuth } from "./auth";
import { databaseUnavailable } from "./database-unavailable";
import { getDatabase } from "./db";
import { externalIdentityOf } from "./external-identity";
import { INTERNAL_ERROR_DETAIL, type InternalErrorProblem, internalErrorProblem, requestIdOf } from "./internal-error";
import { currentRequestId, problemInstance } from "./log/request-context";
import { isClientCredentialsToken } from "./minting-limits";
import { withinDeadline } from "./request-deadline";
import { isSameOriginRequest } from "./same-origin";
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
    // An API-key miss reads the database: bounded like the procedure itself, so an outage is a 503, not a hang.
    principal = await withinDeadline(auth.headerAuthenticator.authenticate(headers), env().requestTimeoutMs);
    if (principal) source = "header";
  } catch (error) {
    authError = toAuthError(error);
  }
  if (!principal && !authError) {
    // An expired or foreign session cookie means "signed out", not an error: browsers send it unasked.
    // A 503 (revoked set reloading) stays a 503: the session is not known to be bad.
    try {
      principal = await auth.cookieAuthenticator.authenticate(headers);
    } catch (error) {
      if (isAuthError(error) && error.status === 503) authError = error;
    }
    if (principal) source = "cookie";
  }

  let userLoad: Promise<User> | undefined;
  /** The database user behind the principal (the key's owner for an API key), loaded once, lazily. */
  const user = (): Promise<User> => {
    if (!principal) return Promise.reject(auth.headerAuthenticator.required());
    if (principal.kind === "service") {
      // The external issuer's token acts for the local user its (iss, sub) is linked to, created on
      // first use (./external-identity.ts); never for a user whose id happens to equal its `sub`.
      const identity = externalIdentityOf(principal);
      if (!identity) return Promise.reject(new Forbidden("A service token does not act for an account"));
      userLoad ??= loadExternalUser(database, identity);
      return userLoad;
    }
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

async function loadExternalUser(database: () => Promise<Database>, identity: ExternalIdentity): Promise<User> {
  let row: User;
  try {
    row = await userForExternalIdentity((await database()).db, identity);
  } catch (cause) {
    throw databaseUnavailable(cause) ?? cause;
  }
  if (row.disabledAt) throw new Unauthorized("This account no longer exists or is disabled");
  return row;
}

function toAuthError(error: unknown): AuthError {
  if (isAuthError(error)) return error;
  return new ServiceUnavailable("Authentication is temporarily unavailable", { cause: error });
}

export type Context = Awaited<ReturnType<typeof createContext>>;

/* ------------------------------------------------------------ 2. Initialise */

/**
 * Who may call a procedure, kept as data so docs and tests read the same object the
 * middleware enforces. Exactly one of:
 * - `{ public: true }`: anyone, anonymous included;
 * - `{ scopes }`: any credential holding all of these scopes (empty = any authenticated caller);
 *   with `clientCredentials: false`, never a client-credentials token, whatever its scopes
 *   (what mints credentials: a token derived from a key may not derive more, #10 §2);
 * - `{ session: true }`: only the first-party browser session (our session cookie), never a
 *   header credential (API key, bearer token), whatever its scopes.
 */
export type AuthRequirement =
  | { readonly public: true }
  | { readonly scopes: readonly AppScope[]; readonly clientCredentials?: false }
  | { readonly session: true };

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
      const requestId = currentRequestId();
      const problem: ProblemDetails | InternalErrorProblem | null = isAuthError(cause)
        ? { ...cause.toProblem(), ...(requestId ? { instance: problemInstance(requestId) } : {}) }
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
 * CSRF guard for mutations authenticated by the ambient session cookie (the rule and why:
 * ./same-origin.ts). Header credentials (bearer, API key) are not ambient.
 */
function assertSameOrigin(headers: Headers): void {
  if (!isSameOriginRequest(headers, new URL(env().issuer).origin)) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Cross-site request refused (CSRF protection)" });
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

/**
 * Enforces a non-public `meta.auth`: a principal, then the session or every required scope.
 * Narrows `ctx.principal` to non-null. A procedure that states no requirement fails closed.
 */
const enforceRequirement = t.middleware(async ({ ctx, meta, path, next }) => {
  const requirement = meta?.auth;
  if (!requirement || "public" in requirement) {
    throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "This procedure states no auth requirement" });
  }
  if (!ctx.principal) throw toTRPCError((await getAuth()).headerAuthenticator.required());
  if ("session" in requirement) {
    if (ctx.source !== "cookie" || ctx.principal.kind !== "user") {
      throw toTRPCError(new Forbidden("Only a signed-in browser session may do this, not an API key or token"));
    }
  } else {
    const missing = missingScope(scopeValidator, ctx.principal.scopes, requirement.scopes);
    if (missing) {
      recordScopeDenied(await getAuth(), ctx.principal, ctx.headers, `${missing} for ${path}`);
      throw toTRPCError(Forbidden.missingScope(missing));
    }
    if (requirement.clientCredentials === false && isClientCredentialsToken(ctx.principal)) {
      throw toTRPCError(new Forbidden("A client-credentials token cannot create credentials"));
    }
  }
  return next({ ctx: { principal: ctx.principal } });
});

/** The security log's "scope denied" row: who (our user or a key's owner; a foreign service is nobody here) and with what. */
function recordScopeDenied(
  auth: Awaited<ReturnType<typeof getAuth>>,
  principal: Principal,
  headers: Headers,
  what: string,
) {
  const keyId = principal.claims.key_id;
  void auth.events.record({
    type: "scope.denied",
    userId: principal.kind === "service" ? null : principal.subject,
    headers,
    detail: `${what} (${principal.kind}${typeof keyId === "string" ? ` ${keyId}` : ""})`,
  });
}

/** Every builder starts here and states its own `meta.auth`. Not exported: a bare procedure states nothing. */
const procedure = t.procedure.use(authBoundary);

/** Anyone. `ctx.principal` is the caller or `null`. */
export const publicProcedure = procedure.meta({ auth: { public: true } });

/** Any authenticated caller: a browser session, an API key, or a bearer token. */
export const protectedProcedure = procedure.meta({ auth: { scopes: [] } }).use(enforceRequirement);

/** Authenticated and holding every listed scope (checked against the registry at compile time). */
export function scopedProcedure(...required: [AppScope, ...AppScope[]]) {
  return procedure.meta({ auth: { scopes: required } }).use(enforceRequirement);
}

/** As `scopedProcedure`, and never a client-credentials token: for procedures that mint credentials. */
export function credentialMintingProcedure(...required: [AppScope, ...AppScope[]]) {
  return procedure.meta({ auth: { scopes: required, clientCredentials: false } }).use(enforceRequirement);
}

/**
 * The first-party browser session only (our session cookie, with its CSRF guard), backed by a
 * live database user as `ctx.account`. For what manages the account itself (sign-ins, sign
 * out everywhere): no API key or bearer token may, whatever scopes it holds.
 */
export const sessionProcedure = procedure
  .meta({ auth: { session: true } })
  .use(enforceRequirement)
  .use(async ({ ctx, next }) => next({ ctx: { account: await ctx.user() } }));
