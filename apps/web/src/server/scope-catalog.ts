/**
 * Every registry scope with what it allows and which procedures need it, read from the same
 * places the middleware reads: the registry (./scopes.ts) and each procedure's `meta.auth`.
 * What the /scopes page shows.
 */
import type { AnyRouter } from "@trpc/server";
import { proceduresOf, requirementOf } from "./openapi/procedure-operations";
import { type RegisteredScope, scopeDescriptions, scopes, scopeValidator } from "./scopes";

export interface ScopeEntry {
  scope: RegisteredScope;
  description: string;
  /** Procedures whose `meta.auth` names this scope. */
  requiredBy: string[];
  /** Procedures a credential holding only this scope may call (write implies read, …). */
  callable: string[];
}

export function scopeCatalog(router: AnyRouter): ScopeEntry[] {
  const scoped = proceduresOf(router).flatMap(([path, procedure]) => {
    const requirement = requirementOf(path, procedure);
    return "scopes" in requirement && requirement.scopes.length > 0 ? [{ path, needs: requirement.scopes }] : [];
  });
  return (scopes.all as RegisteredScope[]).map((scope) => ({
    scope,
    description: scopeDescriptions[scope],
    requiredBy: scoped.filter(({ needs }) => needs.includes(scope)).map(({ path }) => path),
    callable: scoped
      .filter(({ needs }) => needs.every((needed) => scopeValidator.satisfies([scope], needed)))
      .map(({ path }) => path),
  }));
}
