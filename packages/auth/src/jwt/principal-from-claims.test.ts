import { describe, expect, it } from "vitest";
import { Unauthorized } from "../errors";
import { InvalidScopeError } from "../scopes";
import {
  createPrincipalMapper,
  defaultPrincipal,
  foreignPrincipal,
  OIDC_STANDARD_SCOPES,
} from "./principal-from-claims";

describe("principal from claims", () => {
  it("reads scopes - from scope and scp, merged", () => {
    const principal = defaultPrincipal({
      sub: "u1",
      scope: "notes:read notes:write",
      scp: ["files:read", "notes:read"],
    });
    expect(principal).toMatchObject({
      subject: "u1",
      kind: "user",
      scopes: ["notes:read", "notes:write", "files:read"],
    });
  });

  it("reads kind - service and api_key, user otherwise", () => {
    expect(defaultPrincipal({ sub: "s", kind: "service" }).kind).toBe("service");
    expect(defaultPrincipal({ sub: "s", kind: "api_key" }).kind).toBe("api_key");
    expect(defaultPrincipal({ sub: "s", kind: "admin" }).kind).toBe("user");
  });

  it("rejects claims - malformed scope", () => {
    expect(() => defaultPrincipal({ sub: "u1", scope: "notes" })).toThrow(InvalidScopeError);
  });

  it("rejects claims - subject missing or not a string", () => {
    for (const sub of ["", 7 as unknown as string]) {
      expect(() => defaultPrincipal({ sub })).toThrow(Unauthorized);
      expect(() => defaultPrincipal({ sub })).toThrow(expect.objectContaining({ status: 401, code: "invalid_token" }));
    }
  });

  it("drops ignored scopes - OIDC scopes from an external issuer", () => {
    const map = createPrincipalMapper({ scopeClaims: ["scope", "permissions"], ignoreScopes: OIDC_STANDARD_SCOPES });
    expect(map({ sub: "u", scope: "openid profile notes:read", permissions: ["notes:write"] }).scopes).toEqual([
      "notes:read",
      "notes:write",
    ]);
  });

  it("maps foreign claims - every OIDC scope dropped, kind always user whatever the claim says", () => {
    for (const kind of ["api_key", "service", undefined]) {
      const principal = foreignPrincipal({ sub: "u", kind, scope: `${OIDC_STANDARD_SCOPES.join(" ")} notes:read` });
      expect(principal).toMatchObject({ kind: "user", scopes: ["notes:read"] });
    }
    expect(foreignPrincipal({ sub: "u", scope: "openid" }).scopes).toEqual([]);
    expect(() => foreignPrincipal({ sub: "u", scope: "openid notes" })).toThrow(InvalidScopeError);
  });
});
