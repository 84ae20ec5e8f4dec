import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  HierarchicalScopeValidator,
  InvalidScopeError,
  isScope,
  missingScope,
  parseScope,
  parseScopeList,
  SimpleScopeValidator,
} from "./scopes";

const validator = new HierarchicalScopeValidator();

describe("parseScope and parseScopeList", () => {
  it.each(["", "notes", "a:b:c", "notes: read", " notes:read", "notes:", ":read", "no tes:read"])(
    "rejects scope - %j",
    (scope) => {
      expect(() => parseScope(scope)).toThrow(InvalidScopeError);
      expect(isScope(scope)).toBe(false);
    },
  );

  it("reads scope lists - space-delimited string or array, duplicates dropped", () => {
    expect(parseScopeList("notes:read notes:write notes:read")).toEqual(["notes:read", "notes:write"]);
    expect(parseScopeList(["*:read"])).toEqual(["*:read"]);
    expect(parseScopeList(undefined)).toEqual([]);
    expect(parseScopeList("")).toEqual([]);
  });

  it.each([["notes:read  notes:write"], ["notes:read\tx:y"], [" notes:read"], [42], [["notes:read", 1]]])(
    "rejects scope list - %j",
    (value) => {
      expect(() => parseScopeList(value)).toThrow(InvalidScopeError);
    },
  );
});

describe("HierarchicalScopeValidator", () => {
  it.each([
    ["notes:*", "notes:read"],
    ["*:read", "notes:read"],
    ["notes:write", "notes:read"],
    ["notes:edit", "notes:read"],
    ["*:*", "billing:delete"],
    ["notes:*", "notes:*"],
  ])("grants - %s satisfies %s", (granted, required) => {
    expect(validator.satisfies([granted], required)).toBe(true);
  });

  it.each([
    ["notes:read", "notes:write"],
    ["notes:read", "files:read"],
    ["notes:write", "notes:*"],
    ["*:read", "notes:write"],
    ["notes:read", "*:read"],
  ])("refuses - %s does not satisfy %s", (granted, required) => {
    expect(validator.satisfies([granted], required)).toBe(false);
  });

  it("uses an overridden hierarchy - closed transitively", () => {
    const custom = new HierarchicalScopeValidator({ implies: { admin: ["write"], write: ["read"] } });
    expect(custom.satisfies(["notes:admin"], "notes:read")).toBe(true);
    expect(custom.satisfies(["notes:edit"], "notes:read")).toBe(false);
  });

  it("names the first missing scope", () => {
    expect(missingScope(validator, ["notes:read"], ["notes:read", "notes:write"])).toBe("notes:write");
  });
});

describe("scope validator laws (properties)", () => {
  const segment = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
  const action = fc.oneof(segment, fc.constantFrom("read", "write", "edit", "*"));
  const resource = fc.oneof(segment, fc.constant("*"));
  const scope = fc.tuple(resource, action).map(([r, a]) => `${r}:${a}`);

  it("is reflexive - every scope satisfies itself (both validators)", () => {
    fc.assert(
      fc.property(scope, (s) => {
        expect(validator.satisfies([s], s)).toBe(true);
        expect(new SimpleScopeValidator().satisfies([s], s)).toBe(true);
      }),
    );
  });

  it("is wildcard-monotone - widening a granted scope never loses a grant", () => {
    fc.assert(
      fc.property(scope, scope, (granted, required) => {
        if (!validator.satisfies([granted], required)) return;
        const [r, a] = granted.split(":");
        for (const wider of [`*:${a}`, `${r}:*`, "*:*"]) expect(validator.satisfies([wider], required)).toBe(true);
      }),
    );
  });

  it("is monotone in the granted set - adding scopes never loses a grant", () => {
    fc.assert(
      fc.property(fc.array(scope), fc.array(scope), scope, (granted, extra, required) => {
        if (validator.satisfies(granted, required))
          expect(validator.satisfies([...granted, ...extra], required)).toBe(true);
      }),
    );
  });

  it("never grants across resources - without a resource wildcard", () => {
    fc.assert(
      fc.property(fc.array(scope), scope, (granted, required) => {
        const [needResource] = required.split(":");
        const sameOrWild = granted.filter((g) => {
          const [r] = g.split(":");
          return r === needResource || r === "*";
        });
        expect(validator.satisfies(granted, required)).toBe(validator.satisfies(sameOrWild, required));
        if (sameOrWild.length === 0) expect(validator.satisfies(granted, required)).toBe(false);
      }),
    );
  });

  it("SimpleScopeValidator is verbatim - satisfied only by the same string", () => {
    fc.assert(
      fc.property(fc.array(scope), scope, (granted, required) => {
        expect(new SimpleScopeValidator().satisfies(granted, required)).toBe(granted.includes(required));
      }),
    );
  });
});
