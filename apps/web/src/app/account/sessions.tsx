"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTransition } from "react";
import { signOut } from "~/app/login/actions";
import { useTRPC } from "~/trpc/react";

/** Where this account is signed in, with "sign out" per device and everywhere. */
export function Sessions() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sessions = useQuery(trpc.account.sessions.queryOptions());
  const [leaving, startLeaving] = useTransition();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.account.sessions.queryKey() });
  const revoke = useMutation(trpc.account.revokeSession.mutationOptions({ onSuccess: refresh }));
  const everywhere = useMutation(
    trpc.account.signOutEverywhere.mutationOptions({
      // This device too: clear its cookies and go to the sign-in page.
      onSuccess: () => startLeaving(() => signOut()),
    }),
  );
  const error = sessions.error ?? revoke.error ?? everywhere.error;

  return (
    <section className="card" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Your sessions</h2>
      {error ? <p role="alert">{error.message}</p> : null}
      {sessions.isPending ? <p className="muted">Loading sessions…</p> : null}
      {sessions.data ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Signed in</th>
              <th scope="col">Last active</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.data.map((session) => (
              <tr key={session.familyId}>
                <td>
                  {describeAgent(session.userAgent)}
                  {session.current ? <strong> (this device)</strong> : null}
                </td>
                <td>{session.createdAt.toLocaleString()}</td>
                <td>{(session.lastUsedAt ?? session.createdAt).toLocaleString()}</td>
                <td>
                  {session.current ? null : (
                    <button
                      type="button"
                      className="danger"
                      disabled={revoke.isPending}
                      onClick={() => revoke.mutate({ familyId: session.familyId })}
                    >
                      Sign out
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p>
        <button
          type="button"
          className="danger"
          disabled={everywhere.isPending || leaving}
          onClick={() => everywhere.mutate()}
        >
          {everywhere.isPending || leaving ? "Signing out…" : "Sign out everywhere"}
        </button>
      </p>
    </section>
  );
}

function describeAgent(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const browser = /(Firefox|Edg|Chrome|Safari)\/[\d.]+/.exec(userAgent)?.[0]?.split("/")[0] ?? "Browser";
  const os = /(Windows|Mac OS X|Linux|Android|iPhone|iPad)/.exec(userAgent)?.[0] ?? "";
  return `${browser === "Edg" ? "Edge" : browser}${os ? ` on ${os}` : ""}`;
}
