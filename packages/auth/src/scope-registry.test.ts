import { describe, expect, expectTypeOf, it } from "vitest";
import { defineScopes, type ScopeOf } from "./scope-registry";

const registry = defineScopes({ notes: ["read", "write"], billing: ["read"] });

describe("defineScopes", () => {
  it("lists every concrete scope in declaration order", () => {
    expect(registry.all).toEqual(["notes:read", "notes:write", "billing:read"]);
  });

  it("knows concrete and wildcard scopes and refuses others", () => {
    for (const scope of ["notes:read", "notes:*", "*:read", "*:write", "*:*", "billing:*"]) {
      expect(registry.has(scope), scope).toBe(true);
    }
    for (const scope of ["notse:read", "notes:delete", "billing:write:x", "*:delete", "", "notes", "other:*"]) {
      expect(registry.has(scope), scope).toBe(false);
    }
  });

  it("types scopes so a typo does not compile", () => {
    type S = ScopeOf<typeof registry.resources>;
    expectTypeOf<"notes:read">().toExtend<S>();
    expectTypeOf<"notes:*">().toExtend<S>();
    expectTypeOf<"*:read">().toExtend<S>();
    expectTypeOf<"notse:read">().not.toExtend<S>();
    expectTypeOf<"billing:write">().not.toExtend<S>();
  });

  it("rejects registry entries that are wildcards or malformed", () => {
    expect(() => defineScopes({ notes: ["*"] })).toThrow(TypeError);
    expect(() => defineScopes({ "no tes": ["read"] })).toThrow(TypeError);
  });
});
