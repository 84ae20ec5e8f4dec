/**
 * The one way to report an error we did not expect. The client gets a fixed message and a
 * request id; the log line gets the same id and the cause, described without bound SQL
 * parameters or values (see `describeDatabaseError`): drizzle and postgres.js put the
 * parameters (emails, password hashes, tokens' digests) in their messages and fields.
 * Every error the app logs goes through `logInternalError`, which writes one `error` line with
 * the app's logger (./log/logger.ts: JSON, redacted, the request id on it).
 */
import { describeDatabaseError } from "@gatehouse/db/errors";
import { logger } from "./log/logger";
import { currentRequestId, problemInstance } from "./log/request-context";

export const INTERNAL_ERROR_TITLE = "Internal Server Error";
export const INTERNAL_ERROR_DETAIL = "Something went wrong on our side. Quote the request id when reporting it.";

export interface InternalErrorProblem {
  type: "about:blank";
  title: typeof INTERNAL_ERROR_TITLE;
  status: 500;
  detail: typeof INTERNAL_ERROR_DETAIL;
  /** RFC 9457 §3.1.5: this occurrence, as a URN the operator finds in the log. */
  instance: string;
  requestId: string;
}

// The route's onError logs and the errorFormatter answers the same error: one id for both.
const ids = new WeakMap<object, string>();

/** The request id of an error: the current request's (or a new one) on first ask, the same afterwards. */
export function requestIdOf(error: unknown): string {
  if (typeof error !== "object" || error === null) return currentRequestId() ?? crypto.randomUUID();
  let id = ids.get(error);
  if (!id) {
    id = currentRequestId() ?? crypto.randomUUID();
    ids.set(error, id);
  }
  return id;
}

export function internalErrorProblem(requestId: string): InternalErrorProblem {
  return {
    type: "about:blank",
    title: INTERNAL_ERROR_TITLE,
    status: 500,
    detail: INTERNAL_ERROR_DETAIL,
    instance: problemInstance(requestId),
    requestId,
  };
}

/**
 * Logs `error` under `where` ("tRPC notes.create", "token endpoint") with its request id, and
 * returns the id. Never throws: a failing logger must not turn an answer into a crash.
 */
export function logInternalError(where: string, error: unknown, requestId = requestIdOf(error)): string {
  try {
    const cause = unwrap(error);
    // An Error is described by the logger's redaction (message without parameters, frames only).
    logger().error(
      { requestId, where, err: cause instanceof Error ? cause : describeDatabaseError(cause) },
      `${where} failed`,
    );
  } catch {
    // Nothing sensible is left to do.
  }
  return requestId;
}

/** tRPC copies the cause's message (with drizzle's params line) into its own: describe the cause instead. */
function unwrap(error: unknown): unknown {
  const named = error as { name?: unknown; cause?: unknown } | null;
  return named?.name === "TRPCError" && named.cause !== undefined ? named.cause : error;
}
