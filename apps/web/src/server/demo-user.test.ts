import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "~/env";

const production = { NODE_ENV: "production", AUTH_ISSUER: "https://app.example", AUTH_JWKS: '{"keys":[]}' };

describe("the demo user", () => {
  it("stops a production start that asks for it - its password is public", () => {
    for (const GATEHOUSE_DEMO_USER of ["1", "true"]) {
      expect(() => parseEnv({ ...production, GATEHOUSE_DEMO_USER })).toThrow(EnvError);
      expect(() => parseEnv({ ...production, GATEHOUSE_DEMO_USER })).toThrow(
        /GATEHOUSE_DEMO_USER is refused in production/,
      );
    }
  });

  it("is off in production by default and on in development", () => {
    expect(parseEnv(production).demoUser).toBe(false);
    expect(parseEnv({ ...production, GATEHOUSE_DEMO_USER: "0" }).demoUser).toBe(false);
    expect(parseEnv({ ...production, GATEHOUSE_DEMO_USER: "" }).demoUser).toBe(false);
    expect(parseEnv({ NODE_ENV: "development" }).demoUser).toBe(true);
    expect(parseEnv({ NODE_ENV: "development", GATEHOUSE_DEMO_USER: "0" }).demoUser).toBe(false);
  });
});
