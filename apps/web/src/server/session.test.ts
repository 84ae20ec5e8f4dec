import { afterEach, describe, expect, it, vi } from "vitest";
import { captureLogs } from "~/test/captured-logs";
import { refreshCookieName, sessionCookieName } from "./session-cookies";

const SESSION_COOKIE = sessionCookieName();
const REFRESH_COOKIE = refreshCookieName();

// endSession reads the request's cookie jar and the app's refresh-token service; both are
// replaced here so a failing revocation can be driven (the browser suite cannot stop its database).
const jar = new Map<string, string>();
const revoke = vi.fn<(token: string) => Promise<string | null>>();
const revokeAccess = vi.fn<(context: unknown, targets: unknown) => Promise<void>>();
const record = vi.fn<(event: Record<string, unknown>) => Promise<void>>(async () => {});
const requestHeaders = new Headers({ "user-agent": "Firefox/140" });
vi.mock("next/headers", () => ({
  headers: async () => requestHeaders,
  cookies: async () => ({
    get: (name: string) => (jar.has(name) ? { name, value: jar.get(name) } : undefined),
    delete: ({ name }: { name: string }) => jar.delete(name),
  }),
}));
vi.mock("./auth", () => ({
  getAuth: async () => ({ refreshTokens: { revoke }, accessRevocations: "list", events: { record } }),
}));
vi.mock("./db", () => ({ getDatabase: async () => "database" }));
vi.mock("./access-revocation", () => ({ revokeAccess }));

const { endSession } = await import("./session");

function signedIn() {
  jar.set(SESSION_COOKIE, "access-token");
  jar.set(REFRESH_COOKIE, "ghr_refresh-token");
}

afterEach(() => {
  jar.clear();
  revoke.mockReset();
  revokeAccess.mockReset();
  record.mockClear();
  vi.restoreAllMocks();
});

describe("endSession", () => {
  it("revokes the refresh token's family and clears both cookies", async () => {
    signedIn();
    revoke.mockResolvedValue("family-1");
    expect(await endSession()).toBe("revoked");
    expect(revoke).toHaveBeenCalledWith("ghr_refresh-token");
    // Its access tokens too (a copied session cookie), through the app's one revocation function.
    expect(revokeAccess).toHaveBeenCalledWith({ database: "database", list: "list" }, [
      { kind: "family", subject: "family-1" },
    ]);
    expect([...jar.keys()]).toEqual([]);
    // The security log hears it, with the request's headers (address, user agent) and the sign-in.
    expect(record).toHaveBeenCalledWith({
      type: "sign_out",
      familyId: "family-1",
      headers: requestHeaders,
      detail: "sign-in family-1",
    });
  });

  it("reports revocation_failed and logs an internal error - database down during sign-out", async () => {
    signedIn();
    const outage = new Error("connect ECONNREFUSED 127.0.0.1:5432");
    revoke.mockRejectedValue(outage);
    const logs = captureLogs();
    expect(await endSession()).toBe("revocation_failed");
    const [line] = logs.lines().filter((entry) => entry.msg === "sign-out revoke failed");
    expect(line).toMatchObject({
      level: "error",
      where: "sign-out revoke",
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(JSON.stringify(line)).toMatch(/ECONNREFUSED/);
    // This device is signed out anyway: a shared computer must not keep the session.
    expect([...jar.keys()]).toEqual([]);
  });

  it("answers revoked without calling the store - no refresh cookie, nothing to end", async () => {
    jar.set(SESSION_COOKIE, "access-token");
    expect(await endSession()).toBe("revoked");
    expect(revoke).not.toHaveBeenCalled();
    expect([...jar.keys()]).toEqual([]);
  });
});
