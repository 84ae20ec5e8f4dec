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

/** The scope a client needs at `POST /api/introspect` (RFC 7662 §2.1: the endpoint is for protected resources). */
export const INTROSPECT_SCOPE: AppScope = "tokens:introspect";

/** Scopes a new account (and the demo user) holds; never `tokens:introspect`. */
export const DEFAULT_USER_SCOPES: readonly AppScope[] = ["notes:*", "api_keys:*"];

export const scopeValidator = new HierarchicalScopeValidator();
