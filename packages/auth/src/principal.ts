/** Who is calling, as proven by a verified credential. */
export type PrincipalKind = "user" | "api_key" | "service";

export interface Principal {
  /** Stable identifier of the caller: the token's `sub`, or the key's owner. */
  readonly subject: string;
  readonly kind: PrincipalKind;
  /** Scopes granted to this credential (`resource:action`). */
  readonly scopes: readonly string[];
  /** The verified claims, custom ones kept. */
  readonly claims: Readonly<Record<string, unknown>>;
}
