/**
 * A typed list of the scopes an app has. `defineScopes({ notes: ["read", "write"] })`
 * gives the type of every valid scope — concrete (`notes:read`) and wildcard (`notes:*`,
 * `*:read`, `*:*`) — so a typo such as `"notse:read"` is a compile error, and the runtime
 * list that UIs and docs show.
 */
import { parseScope } from "./scopes";

type Resources = Readonly<Record<string, readonly string[]>>;

export type ScopeOf<R extends Resources> =
  | {
      [K in keyof R & string]: `${K}:${R[K][number]}` | `${K}:*` | `*:${R[K][number]}`;
    }[keyof R & string]
  | "*:*";

export interface ScopeRegistry<R extends Resources> {
  readonly resources: R;
  /** Every concrete `resource:action`, in declaration order. */
  readonly all: readonly ScopeOf<R>[];
  /** True when `value` is a scope of this registry, wildcards included. */
  has(value: string): value is ScopeOf<R>;
}

export function defineScopes<const R extends Resources>(resources: R): ScopeRegistry<R> {
  const all: string[] = [];
  const actions = new Set<string>();
  for (const [resource, list] of Object.entries(resources)) {
    for (const action of list) {
      const scope = `${resource}:${action}`;
      parseScope(scope); // Throws at start-up on a malformed entry.
      if (action === "*" || resource === "*") throw new TypeError(`Registry entries must be concrete: ${scope}`);
      all.push(scope);
      actions.add(action);
    }
  }
  const known = new Set<string>(all);
  return {
    resources,
    all: all as ScopeOf<R>[],
    has(value): value is ScopeOf<R> {
      if (known.has(value) || value === "*:*") return true;
      const [resource, action, extra] = value.split(":");
      if (extra !== undefined || !resource || !action) return false;
      if (action === "*") return Object.hasOwn(resources, resource);
      return resource === "*" && actions.has(action);
    },
  };
}
