import { afterEach, describe, expect, it, vi } from "vitest";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  vi.resetModules();
});

describe("server start-up", () => {
  it("stops the start - production secret missing, the message names it", async () => {
    vi.stubEnv("NODE_ENV", "production");
    vi.stubEnv("AUTH_JWKS", "");
    const exit = vi.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    await import("./instrumentation-node");
    expect(exit).toHaveBeenCalledWith(1);
    expect(error.mock.calls[0]?.[0]).toMatch(/Gatehouse cannot start: .*in production: AUTH_JWKS\./);
  });
});
