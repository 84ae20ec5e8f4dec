import { describe, expect, it } from "vitest";
import { scopes } from "../server/scopes";
import { UsageError } from "./cli-error";
import { formatTable, formatTime, parseExpiresInDays, parseKeyName, parseScopesOption } from "./options";

const known = (scope: string) => scopes.has(scope);

describe("parseScopesOption", () => {
  it("splits on spaces or commas and drops repeats", () => {
    expect(parseScopesOption(" notes:read  notes:write,notes:read ", known)).toEqual(["notes:read", "notes:write"]);
  });

  it("accepts the registry's wildcards", () => {
    expect(parseScopesOption("notes:* *:read", known)).toEqual(["notes:*", "*:read"]);
  });

  it("rejects unknown scopes, naming each - typos never reach the database", () => {
    expect(() => parseScopesOption("notes:read notse:read note:write", known)).toThrow(
      new UsageError("Unknown scopes: notse:read, note:write"),
    );
  });

  it("rejects an empty list", () => {
    expect(() => parseScopesOption("  ", known)).toThrow(/Missing --scopes/);
  });
});

describe("parseExpiresInDays", () => {
  it("reads whole days from 1 to 365, or none", () => {
    expect(parseExpiresInDays(undefined)).toBeUndefined();
    expect(parseExpiresInDays("1")).toBe(1);
    expect(parseExpiresInDays("365")).toBe(365);
  });

  it.each(["0", "366", "1.5", "-3", "ten", ""])("rejects %j", (value) => {
    expect(() => parseExpiresInDays(value)).toThrow(UsageError);
  });
});

describe("parseKeyName", () => {
  it("trims, and refuses empty or over 100 characters", () => {
    expect(parseKeyName("  ci  ")).toBe("ci");
    expect(() => parseKeyName(" ")).toThrow(UsageError);
    expect(() => parseKeyName("x".repeat(101))).toThrow(UsageError);
  });
});

describe("formatTime and formatTable", () => {
  it("prints UTC to the second, and - for none", () => {
    expect(formatTime(new Date("2025-03-01T14:05:09.123Z"))).toBe("2025-03-01 14:05:09Z");
    expect(formatTime(null)).toBe("-");
  });

  it("aligns columns without trailing spaces", () => {
    expect(
      formatTable([
        ["ID", "NAME"],
        ["1", "a long name"],
        ["22", "b"],
      ]),
    ).toEqual(["ID  NAME", "1   a long name", "22  b"]);
  });
});
