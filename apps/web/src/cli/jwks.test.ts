import { createJwtIssuer, createJwtVerifier, importKeySet, type PrivateJwks, publicJwks } from "@gatehouse/auth/jwt";
import { describe, expect, it } from "vitest";
import { run } from "./run";

const ISSUER = "https://gatehouse.test";

/** Runs `pnpm gatehouse …` with AUTH_JWKS = `current`; a command that opens the database fails the test. */
async function gatehouse(current: string | undefined, ...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await run(argv, {
    output: { out: (line) => stdout.push(line), err: (line) => stderr.push(line) },
    openDatabase: () => Promise.reject(new Error("jwks commands need no database")),
    environment: () => "test",
    currentJwks: () => current,
  });
  return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
}

async function step(current: string, name: string) {
  const result = await gatehouse(current, "jwks", "rotate", "--step", name);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

const kids = (jwks: string) => (JSON.parse(jwks) as PrivateJwks).keys.map((key) => key.kid);

async function sign(jwks: string) {
  const keySet = await importKeySet(JSON.parse(jwks));
  return (await createJwtIssuer({ keySet, issuer: ISSUER, audience: "api" }).createAccessToken({ sub: "u1" }))
    .access_token;
}

async function verifies(jwks: string, token: string): Promise<boolean> {
  const keySet = await importKeySet(JSON.parse(jwks));
  const verifier = createJwtVerifier({ keySet, algorithms: ["ES256", "EdDSA"], issuer: ISSUER, audience: "api" });
  return verifier.verify(token).then(
    () => true,
    () => false,
  );
}

describe("jwks generate", () => {
  it("prints one line of private JWKS the app can sign with, and nothing else on stdout", async () => {
    const result = await gatehouse(undefined, "jwks", "generate");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain("\n");
    const jwks = JSON.parse(result.stdout) as PrivateJwks;
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ alg: "ES256", use: "sig", kty: "EC" });
    expect((await importKeySet(jwks)).current.kid).toBe(jwks.keys[0]?.kid);
  });

  it("takes another asymmetric algorithm - refuses HS256, whose secret cannot be published", async () => {
    const eddsa = await gatehouse(undefined, "jwks", "generate", "--alg", "EdDSA");
    expect(JSON.parse(eddsa.stdout).keys[0]).toMatchObject({ alg: "EdDSA", crv: "Ed25519" });
    expect((await gatehouse(undefined, "jwks", "generate", "--alg", "HS256")).code).toBe(2);
  });
});

describe("jwks rotate", () => {
  it("adds, switches and retires with no token refused on the way, then refuses the old key's", async () => {
    const old = (await gatehouse(undefined, "jwks", "generate")).stdout;
    const oldToken = await sign(old);

    const added = await step(old, "add");
    const [oldKid, newKid] = kids(added);
    expect(oldKid).toBe(kids(old)[0]);
    expect((await importKeySet(JSON.parse(added))).current.kid).toBe(oldKid); // not signing yet…
    expect(publicJwks(await importKeySet(JSON.parse(added))).keys.map((key) => key.kid)).toContain(newKid); // …but published

    const switched = await step(added, "switch");
    expect(kids(switched)).toEqual([newKid, oldKid]);
    expect((await importKeySet(JSON.parse(switched))).current.kid).toBe(newKid);
    expect(await verifies(switched, oldToken)).toBe(true);

    const retired = await step(switched, "retire");
    expect(kids(retired)).toEqual([newKid]);
    expect(await verifies(retired, await sign(switched))).toBe(true);
    expect(await verifies(retired, oldToken)).toBe(false);
  });

  it("refuses a step out of order - never a silent mistake", async () => {
    const one = (await gatehouse(undefined, "jwks", "generate")).stdout;
    const two = await step(one, "add");
    expect((await gatehouse(one, "jwks", "rotate", "--step", "switch")).code).toBe(1);
    expect((await gatehouse(one, "jwks", "rotate", "--step", "retire")).code).toBe(1);
    const again = await gatehouse(two, "jwks", "rotate", "--step", "add");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("rotation is under way");
    expect(again.stdout).toBe("");
  });

  it("says what to do without AUTH_JWKS, with a bad one, or without --step", async () => {
    expect((await gatehouse(undefined, "jwks", "rotate", "--step", "add")).stderr).toContain("set AUTH_JWKS");
    expect((await gatehouse("{not json", "jwks", "rotate", "--step", "add")).stderr).toContain("not a private JWKS");
    const publicOnly = JSON.stringify(
      publicJwks(await importKeySet(JSON.parse((await gatehouse(undefined, "jwks", "generate")).stdout))),
    );
    expect((await gatehouse(publicOnly, "jwks", "rotate", "--step", "add")).code).toBe(1);
    expect((await gatehouse("{}", "jwks", "rotate")).code).toBe(2);
  });
});
