import { RevocationList } from "@gatehouse/auth/revocation-list";
import { recordAccessRevocations } from "@gatehouse/db/access-revocations";
import type { Database } from "@gatehouse/db/client";
import { describe, expect, it } from "vitest";
import { setupTestDatabase } from "~/test/database";
import { subscribeToAccessRevocations } from "./access-revocation";

const database = setupTestDatabase();

describe("subscribeToAccessRevocations", () => {
  it("retries a failed first subscription with backoff - then loads the table and is ready", async () => {
    await recordAccessRevocations(database.current.db, [
      { kind: "family", subject: "missed-at-start", revokedAt: new Date() },
    ]);
    let attempts = 0;
    const flaky: Database = {
      ...database.current,
      listen: (channel, onPayload, onListen) => {
        attempts++;
        if (attempts <= 2) return Promise.reject(new Error("connect ECONNREFUSED"));
        return database.current.listen(channel, onPayload, onListen);
      },
    };
    const errors: unknown[] = [];
    const list = new RevocationList();
    const feed = subscribeToAccessRevocations({
      database: async () => flaky,
      list,
      lookbackSeconds: 960,
      onError: (error) => errors.push(error),
      retry: { initialMs: 1, maxMs: 4 },
    });
    await feed.ready;
    expect(attempts).toBe(3);
    expect(errors).toHaveLength(2);
    expect(list.isRevoked({ sub: "u", sid: "missed-at-start" })).toBe(true);
    await feed.unsubscribe();
  });

  it("holds tokens from the start and from each re-LISTEN until the reload after it succeeds - a failed reload is retried", async () => {
    let relisten: () => void = () => {};
    let failingLoads = 0;
    let subscribed = false;
    const observed: Database = {
      ...database.current,
      listen: async (channel, onPayload, onListen) => {
        const stop = await database.current.listen(channel, onPayload, () => {
          subscribed = true;
          onListen?.();
        });
        relisten = () => onListen?.();
        return stop;
      },
    };
    const errors: unknown[] = [];
    const feed = subscribeToAccessRevocations({
      // After the subscription, each call is a reload's: the first `failingLoads` fail.
      database: async () => {
        if (subscribed && failingLoads > 0) {
          failingLoads--;
          throw new Error("connect ECONNREFUSED");
        }
        return observed;
      },
      list: new RevocationList(),
      lookbackSeconds: 960,
      onError: (error) => errors.push(error),
      retry: { initialMs: 1, maxMs: 4 },
    });
    expect(feed.untilCurrent()).not.toBeNull(); // Nothing loaded yet.
    await feed.ready;
    expect(feed.untilCurrent()).toBeNull();

    failingLoads = 2;
    relisten(); // The listener reconnected: notices may have been lost.
    const held = feed.untilCurrent();
    expect(held).not.toBeNull();
    await held;
    expect(errors).toHaveLength(2);
    expect(feed.untilCurrent()).toBeNull();
    await feed.unsubscribe();
  });

  it("ignores rows older than the lookback - they can refuse no live token", async () => {
    await recordAccessRevocations(database.current.db, [
      { kind: "family", subject: "long-ago", revokedAt: new Date(Date.now() - 3600_000) },
    ]);
    const list = new RevocationList();
    const feed = subscribeToAccessRevocations({
      database: async () => database.current,
      list,
      lookbackSeconds: 960,
      onError: (error) => {
        throw error;
      },
    });
    await feed.ready;
    expect(list.isRevoked({ sub: "u", sid: "long-ago" })).toBe(false);
    await feed.unsubscribe();
  });

  it("refuses construction - a retry that cannot back off", () => {
    const options = { database: async () => database.current, list: new RevocationList(), onError: () => {} };
    expect(() =>
      subscribeToAccessRevocations({ ...options, lookbackSeconds: 960, retry: { initialMs: 0, maxMs: 1 } }),
    ).toThrow(TypeError);
    expect(() => subscribeToAccessRevocations({ ...options, lookbackSeconds: 0 })).toThrow(TypeError);
  });
});
