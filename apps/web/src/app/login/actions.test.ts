import { describe, expect, it, vi } from "vitest";

// The action's only decision: where to send the browser after endSession.
const endSession = vi.fn<() => Promise<"revoked" | "revocation_failed">>();
vi.mock("~/server/session", () => ({ endSession, startSession: vi.fn() }));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw new Error(`redirect:${url}`);
  },
}));

const { signOut } = await import("./actions");
const { isSignOutIncomplete } = await import("./sign-out-notice");

describe("signOut", () => {
  it("goes to the sign-in page - session revoked", async () => {
    endSession.mockResolvedValueOnce("revoked");
    await expect(signOut()).rejects.toThrow(/^redirect:\/login$/);
  });

  it("goes to the sign-in page with the incomplete notice - revocation failed, never a silent success", async () => {
    endSession.mockResolvedValueOnce("revocation_failed");
    const redirected = await signOut().catch((error: Error) => error.message.replace(/^redirect:/, ""));
    const url = new URL(String(redirected), "http://localhost");
    expect(url.pathname).toBe("/login");
    expect(isSignOutIncomplete(Object.fromEntries(url.searchParams))).toBe(true);
  });
});
