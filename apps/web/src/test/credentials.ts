/**
 * Every kind of credential a caller can hold, obtained the way a client obtains it: a browser
 * session cookie (as sign-in sets it), tokens from the real token endpoint, API keys.
 */
import { POST as tokenEndpoint } from "~/app/api/token/route";
import { newSessionCookies } from "~/server/session-tokens";

/** `POST /api/token` with a form body, through the real route handler. */
export function tokenRequest(params: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return tokenEndpoint(
    new Request("http://localhost:3000/api/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(params).toString(),
    }),
  );
}

async function accessToken(params: Record<string, string>): Promise<string> {
  const response = await tokenRequest(params);
  const body = await response.json();
  if (response.status !== 200) throw new Error(`token endpoint answered ${response.status}: ${JSON.stringify(body)}`);
  return body.access_token as string;
}

/** A password-grant access token, narrowed to `scope` when given. */
export function passwordToken(user: { email: string; password: string }, scope?: string): Promise<string> {
  return accessToken({
    grant_type: "password",
    username: user.email,
    password: user.password,
    ...(scope === undefined ? {} : { scope }),
  });
}

/** A client-credentials access token for an API key (its id as `client_id`, the key as `client_secret`). */
export function clientCredentialsToken(key: { id: string; key: string }, scope?: string): Promise<string> {
  return accessToken({
    grant_type: "client_credentials",
    client_id: key.id,
    client_secret: key.key,
    ...(scope === undefined ? {} : { scope }),
  });
}

/** The headers of a same-origin browser request carrying a fresh session cookie (what the CSRF guard wants). */
export async function sessionHeaders(user: { id: string; scopes: readonly string[] }): Promise<Record<string, string>> {
  const cookies = await newSessionCookies(user, "vitest");
  return {
    cookie: cookies.map(({ name, value }) => `${name}=${value}`).join("; "),
    origin: "http://localhost:3000",
    host: "localhost:3000",
  };
}
