/**
 * #11 §1: what revokes a sign-in, a key or a user's access refuses the access tokens already
 * issued at once, through the real tRPC route handler, as bearer token and as session cookie,
 * cache warm (each token is verified first). Not by the token's `exp`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApiKey } from "~/test/api-keys";
import { clientCredentialsToken, passwordToken, sessionHeaders, tokenRequest } from "~/test/credentials";
import { setupTestDatabase } from "~/test/database";
import { createTRPCRequest } from "~/test/trpc-request";
import { createTestUser } from "~/test/users";
import { getAuth } from "./auth";
import { sessionCookieName } from "./session-cookies";
import { needsRenewal } from "./session-tokens";
import { unverifiedClaims } from "./unverified-claims";
import { changeUserDisabled, changeUserScopes } from "./user-access";

const database = setupTestDatabase();

beforeAll(async () => {
  await (await getAuth()).accessRevocationFeed.ready;
});
afterAll(async () => {
  await (await getAuth()).accessRevocationFeed.unsubscribe();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const list = async (headers: Record<string, string>) => (await createTRPCRequest("notes.list", headers)).status;
const cookieToken = (headers: Record<string, string>) =>
  (headers.cookie?.split("; ").find((pair) => pair.startsWith(`${sessionCookieName()}=`)) ?? "").split("=")[1] ?? "";
const post = (path: string, headers: Record<string, string>, input: unknown) =>
  createTRPCRequest(path, headers, { method: "POST", input });

describe("access-token revocation (router)", () => {
  it("refuses the revoked sign-in's access token - revokeSession, cookie and bearer; other sign-ins keep working", async () => {
    const user = await createTestUser(database.current.db);
    const here = await sessionHeaders(user);
    const there = await sessionHeaders(user);
    const thereToken = cookieToken(there);
    expect([await list(here), await list(there), await list(bearer(thereToken))]).toEqual([200, 200, 200]);
    const familyId = unverifiedClaims(thereToken)?.sid;
    const answer = await post("account.revokeSession", here, { familyId });
    expect(answer.status).toBe(200);
    expect([await list(there), await list(bearer(thereToken))]).toEqual([401, 401]);
    expect(await list(here)).toBe(200);
  });

  it("refuses nothing - revokeSession naming another user's sign-in", async () => {
    const victim = await createTestUser(database.current.db);
    const attacker = await createTestUser(database.current.db);
    const victimSession = await sessionHeaders(victim);
    const familyId = unverifiedClaims(cookieToken(victimSession))?.sid;
    const answer = await post("account.revokeSession", await sessionHeaders(attacker), { familyId });
    expect(answer.status).toBe(200);
    expect(await list(victimSession)).toBe(200);
  });

  it("refuses every access token of the user - signOutEverywhere, cookie and password-grant bearer", async () => {
    const user = await createTestUser(database.current.db);
    const other = await createTestUser(database.current.db);
    const session = await sessionHeaders(user);
    const token = await passwordToken(user);
    const otherToken = await passwordToken(other);
    expect([await list(session), await list(bearer(token)), await list(bearer(otherToken))]).toEqual([200, 200, 200]);
    expect((await post("account.signOutEverywhere", session, undefined)).status).toBe(200);
    expect([await list(session), await list(bearer(token))]).toEqual([401, 401]);
    expect(await list(bearer(otherToken))).toBe(200);
  });

  it("refuses the user's access tokens - account disabled (changeUserDisabled)", async () => {
    const user = await createTestUser(database.current.db);
    const token = await passwordToken(user);
    const session = await sessionHeaders(user);
    expect([await list(bearer(token)), await list(session)]).toEqual([200, 200]);
    const auth = await getAuth();
    await changeUserDisabled(
      { database: database.current, verifiers: [auth.apiKeys], revocations: auth.accessRevocations },
      { userId: user.id, disabled: true },
    );
    expect(auth.accessRevocations.isRevoked(unverifiedClaims(token) ?? {})).toBe(true);
    expect([await list(bearer(token)), await list(session)]).toEqual([401, 401]);
  });

  it("refuses the user's older access tokens - scopes lowered (changeUserScopes), so no token keeps the old scopes", async () => {
    const user = await createTestUser(database.current.db, { scopes: ["notes:*", "api_keys:*"] });
    const token = await passwordToken(user);
    const session = await sessionHeaders(user);
    const create = (headers: Record<string, string>) => post("notes.create", headers, { title: "t", body: "" });
    expect([(await create(bearer(token))).status, (await create(session)).status]).toEqual([200, 200]);
    const auth = await getAuth();
    await changeUserScopes(
      { database: database.current, verifiers: [auth.apiKeys], revocations: auth.accessRevocations },
      { userId: user.id, scopes: ["notes:read"] },
    );
    expect([(await create(bearer(token))).status, (await create(session)).status]).toEqual([401, 401]);
    // The browser is renewed at once (its refresh token still lives), not left signed out until `exp`.
    expect(await needsRenewal(cookieToken(session), 2)).toBe(true);
    const unrelated = await sessionHeaders(await createTestUser(database.current.db));
    expect(await needsRenewal(cookieToken(unrelated), 2)).toBe(false);
  });

  it("refuses the family's access tokens - a spent refresh token replayed at /api/token (reuse detection)", async () => {
    const user = await createTestUser(database.current.db);
    const grant = async (params: Record<string, string>) => (await tokenRequest(params)).json();
    const first = await grant({ grant_type: "password", username: user.email, password: user.password });
    const second = await grant({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    const third = await grant({ grant_type: "refresh_token", refresh_token: second.refresh_token });
    expect([await list(bearer(first.access_token)), await list(bearer(third.access_token))]).toEqual([200, 200]);
    // The first token again, after its successor was used: a replay, whoever sends it.
    const replay = await tokenRequest({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(replay.status).toBe(400);
    expect([await list(bearer(first.access_token)), await list(bearer(third.access_token))]).toEqual([401, 401]);
  });

  it("refuses the key's client-credentials access token - apiKeys.revoke over HTTP", async () => {
    const { owner, id, key } = await createTestApiKey(database.current.db, { scopes: ["notes:read"] });
    const token = await clientCredentialsToken({ id, key });
    expect(await list(bearer(token))).toBe(200);
    const ownerSession = await sessionHeaders(owner);
    expect((await post("apiKeys.revoke", ownerSession, { id })).status).toBe(200);
    expect(await list(bearer(token))).toBe(401);
    // The owner's own sign-in is not touched by revoking one key.
    expect(await list(ownerSession)).toBe(200);
  });
});
