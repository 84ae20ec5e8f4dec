"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";

/** `auth.me` through the typed React client: what the API sees for this browser session. */
export function WhoAmI() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  return (
    <section className="card" aria-labelledby="whoami-heading" aria-busy={me.isPending}>
      <h2 id="whoami-heading">What the API sees</h2>
      {me.isPending ? <p className="muted">Asking auth.me…</p> : null}
      {me.error ? <p role="alert">{me.error.message}</p> : null}
      {me.data ? (
        <dl data-testid="whoami">
          <dt>subject</dt>
          <dd className="mono">{me.data.subject}</dd>
          <dt>kind</dt>
          <dd>{me.data.kind}</dd>
          <dt>scopes</dt>
          <dd>{me.data.scopes.join(" ")}</dd>
        </dl>
      ) : null}
    </section>
  );
}
