/**
 * Next's `onRequestError` hook (src/instrumentation.ts), for errors that escaped a page, a
 * server action or the proxy: logged once, under the request id the proxy forwarded.
 */
import type { Instrumentation } from "next";
import { logInternalError } from "../internal-error";
import { isSafeRequestId, REQUEST_ID_HEADER } from "./request-context";

type Parameters_ = Parameters<Instrumentation.onRequestError>;

export function logRequestError(error: unknown, request: Parameters_[1], context: Parameters_[2]): void {
  const header = request.headers[REQUEST_ID_HEADER];
  const id = typeof header === "string" && isSafeRequestId(header) ? header : undefined;
  logInternalError(`${context.routeType} ${context.routePath}`, error, id);
}
