/**
 * Scopes are `resource:action` strings: `notes:read`, `notes:*`, `*:read`, `*:*`.
 * A validator answers one question: do these granted scopes satisfy this required one?
 */

export type Scope = `${string}:${string}`;

export interface ParsedScope {
  resource: string;
  action: string;
}

const SEGMENT = /^(?:\*|[A-Za-z0-9_][A-Za-z0-9_.-]*)$/;
const MAX_SCOPE_LENGTH = 128;

export class InvalidScopeError extends TypeError {
  readonly code = "invalid_scope";
  constructor(readonly scope: string) {
    super(
      `Invalid scope ${JSON.stringify(scope.length > 40 ? `${scope.slice(0, 40)}…` : scope)}: expected resource:action`,
    );
  }
}

/** Parses one scope, or throws `InvalidScopeError` (empty, whitespace, not two segments). */
export function parseScope(scope: string): ParsedScope {
  if (scope.length > MAX_SCOPE_LENGTH) throw new InvalidScopeError(scope);
  const parts = scope.split(":");
  const [resource, action] = parts;
  if (parts.length !== 2 || !resource || !action || !SEGMENT.test(resource) || !SEGMENT.test(action)) {
    throw new InvalidScopeError(scope);
  }
  return { resource, action };
}

export function isScope(value: string): value is Scope {
  try {
    parseScope(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads scopes from a claim: a space-delimited string (`scope`, RFC 8693 §4.2) or an
 * array of strings (`scp`, `permissions`). Every entry must be a valid scope; duplicates
 * are dropped. Anything else throws `InvalidScopeError`.
 */
export function parseScopeList(value: unknown): Scope[] {
  if (value === undefined || value === null) return [];
  let items: unknown[];
  if (typeof value === "string") {
    if (value !== value.trim() || /\s{2,}|[\t\r\n]/.test(value)) throw new InvalidScopeError(value);
    items = value === "" ? [] : value.split(" ");
  } else if (Array.isArray(value)) {
    items = value;
  } else {
    throw new InvalidScopeError(String(value));
  }
  const scopes = new Set<Scope>();
  for (const item of items) {
    if (typeof item !== "string") throw new InvalidScopeError(String(item));
    parseScope(item);
    scopes.add(item as Scope);
  }
  return [...scopes];
}

export interface ScopeValidator {
  /** True when `granted` satisfies `required`. */
  satisfies(granted: readonly string[], required: string): boolean;
}

/** The first required scope that `granted` does not satisfy, or `undefined`. */
export function missingScope(
  validator: ScopeValidator,
  granted: readonly string[],
  required: readonly string[],
): string | undefined {
  return required.find((scope) => !validator.satisfies(granted, scope));
}

/** Verbatim: a required scope is satisfied only by the same string. */
export class SimpleScopeValidator implements ScopeValidator {
  satisfies(granted: readonly string[], required: string): boolean {
    return granted.includes(required);
  }
}

export interface HierarchicalScopeOptions {
  /**
   * Which actions imply which others (closed transitively). `*` always implies every
   * action. Default: `{ write: ["read"], edit: ["read"] }`.
   */
  implies?: Readonly<Record<string, readonly string[]>>;
}

const DEFAULT_ACTION_HIERARCHY: Readonly<Record<string, readonly string[]>> = {
  write: ["read"],
  edit: ["read"],
};

/**
 * The default validator: `notes:*` ⊇ `notes:read`, `*:read` ⊇ `notes:read`,
 * `notes:write` ⊇ `notes:read` (overridable hierarchy), `*:*` ⊇ everything. A wildcard
 * in a *required* scope is satisfied only by a wildcard at least as wide. Never grants
 * across resources. Malformed granted scopes are ignored (they satisfy nothing).
 */
export class HierarchicalScopeValidator implements ScopeValidator {
  readonly #closure: ReadonlyMap<string, ReadonlySet<string>>;

  constructor(options: HierarchicalScopeOptions = {}) {
    this.#closure = closeHierarchy(options.implies ?? DEFAULT_ACTION_HIERARCHY);
  }

  satisfies(granted: readonly string[], required: string): boolean {
    const need = parseScope(required);
    return granted.some((scope) => {
      if (scope === required) return true;
      let have: ParsedScope;
      try {
        have = parseScope(scope);
      } catch {
        return false;
      }
      return this.#resourceCovers(have.resource, need.resource) && this.#actionCovers(have.action, need.action);
    });
  }

  #resourceCovers(have: string, need: string): boolean {
    return have === "*" || have === need;
  }

  #actionCovers(have: string, need: string): boolean {
    if (have === "*" || have === need) return true;
    if (need === "*") return false;
    return this.#closure.get(have)?.has(need) ?? false;
  }
}

function closeHierarchy(implies: Readonly<Record<string, readonly string[]>>): Map<string, Set<string>> {
  const closure = new Map<string, Set<string>>();
  for (const action of Object.keys(implies)) {
    const seen = new Set<string>();
    const stack = [...(implies[action] ?? [])];
    while (stack.length) {
      const next = stack.pop() as string;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(implies[next] ?? []));
    }
    closure.set(action, seen);
  }
  return closure;
}
