import { describe, expect, it } from "vitest";
import { Forbidden, isAuthError, ServiceUnavailable, Unauthorized } from "./errors";

describe("errors", () => {
  it("renders problem JSON - Forbidden.missingScope", async () => {
    const response = Forbidden.missingScope("notes:write").toResponse();
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("www-authenticate")).toBe('Bearer error="insufficient_scope", scope="notes:write"');
    expect(await response.json()).toEqual({
      type: "about:blank",
      title: "Forbidden",
      status: 403,
      detail: "Token is missing required scope: notes:write",
      code: "insufficient_scope",
    });
  });

  it("adds a challenge - without changing the original", () => {
    const error = new Unauthorized("Token has expired");
    const challenged = error.withChallenge('Bearer error="invalid_token"');
    expect(challenged.headers["www-authenticate"]).toBe('Bearer error="invalid_token"');
    expect(error.headers["www-authenticate"]).toBeUndefined();
    expect(challenged.code).toBe("invalid_token");
  });

  it("answers 503 with Retry-After - ServiceUnavailable", () => {
    const response = new ServiceUnavailable().toResponse();
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
  });

  it("recognises auth errors - and nothing else", () => {
    expect(isAuthError(new Unauthorized())).toBe(true);
    expect(isAuthError(new Error("x"))).toBe(false);
    expect(isAuthError(null)).toBe(false);
  });
});
