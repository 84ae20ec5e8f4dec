import { afterEach, describe, expect, it, vi } from "vitest";
import { captureLogs } from "~/test/captured-logs";

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
    const logs = captureLogs();
    await import("./instrumentation-node");
    expect(exit).toHaveBeenCalledWith(1);
    expect(logs.lines()[0]).toMatchObject({
      level: "fatal",
      msg: expect.stringMatching(/Gatehouse cannot start: .*in production: AUTH_JWKS\./),
    });
  });
});
