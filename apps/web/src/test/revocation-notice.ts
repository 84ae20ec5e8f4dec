import { API_KEY_REVOKED_CHANNEL } from "@gatehouse/auth/api-key-verifier";
import type { Database } from "@gatehouse/db/client";

/**
 * Listens on the API-key revocation channel (LISTEN awaited before this resolves) and records
 * every payload; `next(payload)` resolves once exactly that payload has arrived. Subscribed after
 * the app's own listener on the same database, so by then the app has handled the notice too:
 * postgres.js and our PGlite wrapper call a channel's listeners in the order they subscribed.
 */
export async function listenForRevocations(database: Database) {
  const heard: string[] = [];
  const waiting = new Map<string, () => void>();
  const stop = await database.listen(API_KEY_REVOKED_CHANNEL, (payload) => {
    heard.push(payload);
    waiting.get(payload)?.();
  });
  return {
    heard,
    next(payload: string): Promise<void> {
      if (heard.includes(payload)) return Promise.resolve();
      return new Promise((resolve) => waiting.set(payload, resolve));
    },
    stop,
  };
}
