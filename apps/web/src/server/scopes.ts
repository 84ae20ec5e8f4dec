/**
 * The one list of scopes this app knows. Add a resource or an action here; every
 * `scopedProcedure(...)` is checked against it at compile time, and the UI lists it.
 */
import { defineScopes, type ScopeOf } from "@gatehouse/auth/scope-registry";
import { HierarchicalScopeValidator } from "@gatehouse/auth/scopes";

export const scopes = defineScopes({
  notes: ["read", "write"],
  api_keys: ["read", "write"],
});

export type AppScope = ScopeOf<typeof scopes.resources>;

/** Scopes a new account (and the demo user) holds. */
export const DEFAULT_USER_SCOPES: readonly AppScope[] = ["notes:*", "api_keys:*"];

export const scopeValidator = new HierarchicalScopeValidator();
