/**
 * The headers of the request being served, for code deep below the route that is not handed
 * them (an API-key store port, the revocation endpoint's ports) but must say where a security
 * event came from. Route handlers run inside `withRequestHeaders` (see
 * ./http/with-error-boundary.ts); elsewhere there are none.
 */
import { AsyncLocalStorage } from "node:async_hooks";

const current = new AsyncLocalStorage<Headers>();

export function withRequestHeaders<T>(headers: Headers, run: () => T): T {
  return current.run(headers, run);
}

export function currentRequestHeaders(): Headers | undefined {
  return current.getStore();
}
