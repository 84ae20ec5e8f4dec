import { afterEach, describe, expect, it, vi } from "vitest";

const production = vi.hoisted(() => ({ value: true }));
vi.mock("~/env", () => ({ env: () => ({ production: production.value }) }));

const { clearedCookie, cookieAttributes, refreshCookieName, sessionCookieName } = await import("./session-cookies");

afterEach(() => {
  production.value = true;
});

describe("session cookie names and attributes", () => {
  it("uses __Host- names, Secure, Path=/ and no Domain in production - a sibling subdomain cannot plant them", () => {
    expect(sessionCookieName()).toBe("__Host-gatehouse_session");
    expect(refreshCookieName()).toBe("__Host-gatehouse_refresh");
    const attributes = cookieAttributes(60);
    expect(attributes).toEqual({ httpOnly: true, sameSite: "lax", secure: true, path: "/", maxAge: 60 });
    expect(attributes).not.toHaveProperty("domain");
  });

  it("clears a __Host- cookie with Secure and Path=/ - the browser ignores a deletion without them", () => {
    expect(clearedCookie("__Host-gatehouse_session")).toEqual({
      name: "__Host-gatehouse_session",
      value: "",
      httpOnly: true,
      sameSite: "lax",
      secure: true,
      path: "/",
      maxAge: 0,
    });
  });

  it("keeps bare names without Secure outside production - next dev runs on plain http", () => {
    production.value = false;
    expect(sessionCookieName()).toBe("gatehouse_session");
    expect(refreshCookieName()).toBe("gatehouse_refresh");
    expect(cookieAttributes(60).secure).toBe(false);
  });
});
