import { afterEach, describe, expect, it, vi } from "vitest";

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

/** A fresh env() (it caches) read from these variables on top of the test's own. */
async function load(vars: Record<string, string>) {
  Object.assign(process.env, vars);
  vi.resetModules();
  return (await import("./env")).env();
}

describe("throttle and proxy settings", () => {
  it("defaults to no trusted proxy and the documented budgets", async () => {
    const config = await load({});
    expect(config.trustedProxyHops).toBe(0);
    expect(config.loginThrottle).toEqual({
      account: { maxAttempts: 20, windowSeconds: 900 },
      pair: { maxAttempts: 10, windowSeconds: 300 },
      address: { maxAttempts: 100, windowSeconds: 900 },
    });
    expect(config.signUpThrottle).toEqual({
      global: { maxAttempts: 100, windowSeconds: 3600 },
      address: { maxAttempts: 10, windowSeconds: 3600 },
    });
  });

  it("reads each budget and the hop count, empty counting as unset", async () => {
    const config = await load({
      TRUSTED_PROXY_HOPS: "2",
      LOGIN_THROTTLE_ACCOUNT_MAX_ATTEMPTS: "7",
      LOGIN_THROTTLE_PAIR_WINDOW_SECONDS: "",
      SIGNUP_THROTTLE_GLOBAL_MAX_ATTEMPTS: "5",
    });
    expect(config.trustedProxyHops).toBe(2);
    expect(config.loginThrottle.account.maxAttempts).toBe(7);
    expect(config.loginThrottle.pair.windowSeconds).toBe(300);
    expect(config.signUpThrottle.global.maxAttempts).toBe(5);
  });

  it("refuses a negative or fractional hop count and a budget of zero - naming the variable", async () => {
    await expect(load({ TRUSTED_PROXY_HOPS: "-1" })).rejects.toThrow(/TRUSTED_PROXY_HOPS/);
    await expect(load({ TRUSTED_PROXY_HOPS: "1.5" })).rejects.toThrow(/TRUSTED_PROXY_HOPS/);
    await expect(load({ LOGIN_THROTTLE_ACCOUNT_MAX_ATTEMPTS: "0" })).rejects.toThrow(
      /LOGIN_THROTTLE_ACCOUNT_MAX_ATTEMPTS/,
    );
  });

  it("refuses the old single-budget names instead of silently ignoring an operator's setting", async () => {
    await expect(load({ LOGIN_THROTTLE_MAX_ATTEMPTS: "5" })).rejects.toThrow(
      /LOGIN_THROTTLE_MAX_ATTEMPTS → LOGIN_THROTTLE_PAIR_MAX_ATTEMPTS/,
    );
    await expect(load({ SIGNUP_THROTTLE_MAX_ATTEMPTS: "5" })).rejects.toThrow(/SIGNUP_THROTTLE_ADDRESS_MAX_ATTEMPTS/);
  });
});
