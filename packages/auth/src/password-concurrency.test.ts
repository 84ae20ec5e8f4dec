/**
 * The cap on concurrent argon2 work, observed at @node-rs/argon2 itself: every hash and verify
 * call is held until the test releases it, so the number in flight is exact.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";

const argon2 = vi.hoisted(() => {
  const pending: Array<{ kind: string; release: () => void }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const held =
    <T>(kind: string, result: T) =>
    (..._args: unknown[]) =>
      new Promise<T>((resolve) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        pending.push({
          kind,
          release: () => {
            inFlight--;
            resolve(result);
          },
        });
      });
  return {
    pending,
    stats: () => ({ inFlight, maxInFlight }),
    reset: () => {
      pending.length = 0;
      inFlight = 0;
      maxInFlight = 0;
    },
    hash: vi.fn(held("hash", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA")),
    verify: vi.fn(held("verify", false)),
  };
});
vi.mock("@node-rs/argon2", () => ({ hash: argon2.hash, verify: argon2.verify }));

const { configurePasswordHashing, defaultPasswordHashConcurrency, hashPassword, verifyAgainstDummy, verifyPassword } =
  await import("./password");

/** Lets every settled promise run its continuations, so waiting work has had its chance to start. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

async function releaseOldest() {
  argon2.pending.shift()?.release();
  await settle();
}

beforeEach(() => {
  configurePasswordHashing({ concurrency: 2 });
  argon2.reset();
  argon2.hash.mockClear();
  argon2.verify.mockClear();
});

describe("password hashing concurrency", () => {
  it("runs at most two at once - hashes and verifies share the cap, the rest wait their turn", async () => {
    const all = [
      hashPassword("a"),
      verifyPassword("$argon2id$h", "b"),
      hashPassword("c"),
      verifyPassword("$argon2id$h", "d"),
      hashPassword("e"),
      verifyPassword("$argon2id$h", "f"),
    ];
    await settle();
    expect(argon2.stats().inFlight).toBe(2);
    for (let i = 0; i < 6; i++) {
      expect(argon2.stats().inFlight).toBeLessThanOrEqual(2);
      await releaseOldest();
    }
    await Promise.all(all);
    expect(argon2.stats()).toEqual({ inFlight: 0, maxInFlight: 2 });
    expect(argon2.hash).toHaveBeenCalledTimes(3);
    expect(argon2.verify).toHaveBeenCalledTimes(3);
  });

  it("starts waiting work in arrival order - a finished slot goes to the oldest waiter", async () => {
    const order: string[] = [];
    const all = ["a", "b", "c", "d"].map((p) => verifyPassword("$argon2id$h", p).then(() => order.push(p)));
    await settle();
    expect(argon2.verify.mock.calls.map(([, password]) => password)).toEqual(["a", "b"]);
    await releaseOldest();
    expect(argon2.verify.mock.calls.map(([, password]) => password)).toEqual(["a", "b", "c"]);
    while (argon2.pending.length) await releaseOldest();
    await Promise.all(all);
    expect(order).toEqual(["a", "b", "c", "d"]);
  });

  it("frees its slot after a failure - a verify that throws does not shrink the cap", async () => {
    argon2.verify.mockImplementationOnce(() => Promise.reject(new Error("bad hash")));
    argon2.verify.mockImplementationOnce(() => Promise.reject(new Error("bad hash")));
    expect(await verifyPassword("x", "p")).toBe(false);
    expect(await verifyPassword("x", "p")).toBe(false);
    const two = [verifyPassword("$argon2id$h", "a"), verifyPassword("$argon2id$h", "b")];
    await settle();
    expect(argon2.stats().inFlight).toBe(2);
    while (argon2.pending.length) await releaseOldest();
    await Promise.all(two);
  });

  it("leaves one core free by default - max(1, cores − 1)", () => {
    expect([1, 2, 3, 8].map((cores) => defaultPasswordHashConcurrency(cores))).toEqual([1, 1, 2, 7]);
  });

  it("follows the configured cap - raising it starts waiting work, lowering it lets running work finish", async () => {
    configurePasswordHashing({ concurrency: 1 });
    const all = ["a", "b", "c", "d"].map((p) => verifyPassword("$argon2id$h", p));
    await settle();
    expect(argon2.stats().inFlight).toBe(1);
    configurePasswordHashing({ concurrency: 3 });
    await settle();
    expect(argon2.stats().inFlight).toBe(3);
    configurePasswordHashing({ concurrency: 1 });
    await releaseOldest(); // 3 running → 2: over the cap, nothing new starts
    expect(argon2.stats().inFlight).toBe(2);
    await releaseOldest(); // 2 → 1: still at the cap
    expect(argon2.stats().inFlight).toBe(1);
    await releaseOldest(); // 1 → the last waiter takes the slot
    expect(argon2.stats().inFlight).toBe(1);
    await releaseOldest();
    await Promise.all(all);
    expect(argon2.stats().maxInFlight).toBe(3);
  });

  it("rejects a cap - zero, negative or fractional", () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      expect(() => configurePasswordHashing({ concurrency })).toThrow(/positive integer/);
    }
  });

  it("does the dummy verify for an unknown user - one real argon2 verify, answer false", async () => {
    const result = verifyAgainstDummy("guess");
    await settle();
    argon2.pending.shift()?.release(); // the dummy hash, made once
    await settle();
    expect(argon2.verify).toHaveBeenCalledTimes(1);
    expect(argon2.verify.mock.calls[0]?.[1]).toBe("guess");
    await releaseOldest();
    expect(await result).toBe(false);
  });
});
