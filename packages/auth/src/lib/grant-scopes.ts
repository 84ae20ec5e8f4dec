/**
 * Scope arithmetic for grants, on top of a `ScopeValidator` (so wildcards and the action
 * hierarchy count).
 */
import type { ScopeValidator } from "../scopes";

/**
 * The scopes satisfied by both `a` and `b`: each scope of one side that the other side
 * covers. `notes:*` ∩ `notes:read` = `notes:read`; `notes:read` ∩ `users:read` = nothing.
 * A malformed scope on either side satisfies nothing and is dropped.
 */
export function intersectScopes(validator: ScopeValidator, a: readonly string[], b: readonly string[]): string[] {
  const out = new Set<string>();
  for (const scope of a) if (covers(validator, b, scope)) out.add(scope);
  for (const scope of b) if (covers(validator, a, scope)) out.add(scope);
  return [...out];
}

/**
 * `validator.satisfies`, but a malformed `required` scope (validators throw on one) is
 * satisfied by nothing: a bad scope stored in the database costs that scope, not the request.
 */
export function covers(validator: ScopeValidator, granted: readonly string[], required: string): boolean {
  try {
    return validator.satisfies(granted, required);
  } catch {
    return false;
  }
}
