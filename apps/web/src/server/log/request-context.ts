/**
 * The request id, carried through everything a request runs (AsyncLocalStorage), so every log
 * line and every problem body of that request names the same id without passing it around.
 *
 * The proxy (src/proxy.ts) picks the id once per request and forwards it to the route or page
 * in the `X-Request-Id` request header; the route boundary (`withErrorBoundary`) and the tRPC
 * route re-enter the context from that header. An incoming `X-Request-Id` (from a load balancer
 * or the caller) is kept only when it is a short token of safe characters: it goes into logs
 * and response headers, so no spaces, quotes, CR/LF or JSON.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export const REQUEST_ID_HEADER = "x-request-id";

/** 8–128 characters of letters, digits and `-._~:` (a UUID, a ULID, nginx's 32 hex, AWS's `1-…-…`). */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._~:-]{8,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface RequestContext {
  requestId: string;
}

// On globalThis: Next.js may load this module once per server layer (proxy, routes, pages),
// and all of them must see the one store.
const holder = globalThis as { gatehouseRequestContext?: AsyncLocalStorage<RequestContext> };
holder.gatehouseRequestContext ??= new AsyncLocalStorage<RequestContext>();
const storage = holder.gatehouseRequestContext;

/** True for an id we may echo: see SAFE_REQUEST_ID. */
export function isSafeRequestId(value: string | null | undefined): value is string {
  return typeof value === "string" && SAFE_REQUEST_ID.test(value);
}

/** The incoming `X-Request-Id` if it is safe, else a new UUID. */
export function requestIdFrom(headers: Headers): string {
  const incoming = headers.get(REQUEST_ID_HEADER);
  return isSafeRequestId(incoming) ? incoming : crypto.randomUUID();
}

/** Runs `fn` with `requestId` as the current request's id. */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId }, fn);
}

/** The current request's id, or `undefined` outside a request (start-up, background jobs). */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** RFC 9457 `instance` for a request id: `urn:uuid:…` for a UUID, else `urn:request-id:…`. */
export function problemInstance(requestId: string): string {
  return UUID.test(requestId) ? `urn:uuid:${requestId}` : `urn:request-id:${requestId}`;
}
