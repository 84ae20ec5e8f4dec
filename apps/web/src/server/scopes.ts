/**
 * The one list of scopes this app knows. Add a resource or an action here; every
 * `scopedProcedure(...)` is checked against it at compile time, and the UI lists it.
 */
import { defineScopes, type ScopeOf } from "@gatehouse/auth/scope-registry";
import { HierarchicalScopeValidator } from "@gatehouse/auth/scopes";

export const scopes = defineScopes({
  notes: ["read", "write"],
  api_keys: ["read", "write"],
  // For resource servers calling POST /api/introspect; no account holds it unless an operator grants it.
  tokens: ["introspect"],
});

export type AppScope = ScopeOf<typeof scopes.resources>;

type Resources = typeof scopes.resources;
/** A concrete registry entry (`notes:read`), no wildcard. */
export type RegisteredScope = { [R in keyof Resources]: `${R}:${Resources[R][number]}` }[keyof Resources];

/**
 * What each scope allows, in words: the API reference's OAuth scopes and the /scopes page.
 * Typed against the registry, so a new scope without a description is a compile error.
 */
export const scopeDescriptions: Readonly<Record<RegisteredScope, string>> = {
  "notes:read": "Read your notes: list them and open one.",
  "notes:write": "Create, change and delete your notes (and read them: write implies read).",
  "api_keys:read": "List your API keys: names, scopes, dates; never a key's secret.",
  "api_keys:write":
    "Create and revoke your API keys (and list them). A new key never holds more than the credential creating it.",
  "tokens:introspect":
    "For resource servers: ask POST /api/introspect whether a token is live. No account holds it by default.",
};

/** The scope a client needs at `POST /api/introspect` (RFC 7662 §2.1: the endpoint is for protected resources). */
export const INTROSPECT_SCOPE: AppScope = "tokens:introspect";

/** Scopes a new account (and the demo user) holds; never `tokens:introspect`. */
export const DEFAULT_USER_SCOPES: readonly AppScope[] = ["notes:*", "api_keys:*"];

export const scopeValidator = new HierarchicalScopeValidator();
