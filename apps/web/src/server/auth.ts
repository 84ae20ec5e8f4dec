/**
 * Wires @gatehouse/auth to this app: keys, token issuer, verifiers, the authenticator,
 * and password sign-in against @gatehouse/db. Edit this file to add a credential type
 * (say an external OIDC issuer) or change who may sign in.
 */
import "server-only";
import { createJwtIssuer, createJwtVerifier, type JwtIssuer, type KeySet } from "@gatehouse/auth/jwt";
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from "@gatehouse/auth/password";
import { bearer, cookie } from "@gatehouse/auth/scheme";
import { type Authenticator, createAuthenticator, type Verifier } from "@gatehouse/auth/verifier";
import { findUserByEmail, type User, updateUserPasswordHash } from "@gatehouse/db/users";
import { env } from "~/env";
import { getDatabase } from "./db";
import { loadKeySet } from "./keys";
import { SESSION_COOKIE } from "./session-cookies";

export interface AuthServices {
  keySet: KeySet;
  issuer: JwtIssuer;
  /** Credentials a client chooses to send: `Authorization`, `X-API-Key`. Strict: a bad one is a 401. */
  headerAuthenticator: Authenticator;
  /** The browser session cookie. Ambient, so an expired or bad cookie counts as signed out. */
  cookieAuthenticator: Authenticator;
}

let services: Promise<AuthServices> | undefined;

/** Built on first use (keys imported once). Per module instance: cheap, and holds no connection. */
export function getAuth(): Promise<AuthServices> {
  services ??= build().catch((error) => {
    services = undefined;
    throw error;
  });
  return services;
}

async function build(): Promise<AuthServices> {
  const config = env();
  const keySet = await loadKeySet(config);
  const issuer = createJwtIssuer({ keySet, issuer: config.issuer, defaultExpiresIn: config.accessTokenTtl });
  const ours: Verifier = createJwtVerifier({
    keySet,
    algorithms: [keySet.current.alg],
    issuer: config.issuer,
    audience: null,
  });
  return {
    keySet,
    issuer,
    headerAuthenticator: createAuthenticator([{ scheme: bearer(), verifier: ours }]),
    cookieAuthenticator: createAuthenticator([{ scheme: cookie(SESSION_COOKIE), verifier: ours }]),
  };
}

/**
 * The user for this email and password, or `null`. Unknown email and wrong password take
 * the same time and give the same answer; a disabled user cannot sign in.
 */
export async function authenticatePassword(email: string, password: string): Promise<User | null> {
  const { db } = await getDatabase();
  const user = await findUserByEmail(db, email);
  if (!user) {
    await verifyAgainstDummy(password);
    return null;
  }
  if (!(await verifyPassword(user.passwordHash, password)) || user.disabledAt) return null;
  if (needsRehash(user.passwordHash)) await updateUserPasswordHash(db, user.id, await hashPassword(password));
  return user;
}
