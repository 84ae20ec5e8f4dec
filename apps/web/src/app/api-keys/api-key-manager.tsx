"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "~/trpc/react";

interface Created {
  key: string;
  name: string;
}

export function ApiKeyManager({ grantableScopes }: { grantableScopes: readonly string[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.apiKeys.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
  const [created, setCreated] = useState<Created | null>(null);
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<string[]>(grantableScopes.filter((scope) => scope.endsWith(":read")));
  const [expiry, setExpiry] = useState("90");
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: (row) => {
        setCreated({ key: row.key, name: row.name });
        setName("");
        void refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSuccess: () => void refresh() }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    // "Never" is sent as an explicit `null`: leaving the field out means the 90-day default.
    create.mutate({ name, scopes: chosen, expiresInDays: expiry === "never" ? null : Number(expiry) });
  };
  const fieldErrors = (create.error?.data?.zodError?.fieldErrors ?? {}) as Partial<Record<"name" | "scopes", string[]>>;

  return (
    <>
      {created ? <NewKey created={created} onDone={() => setCreated(null)} /> : null}
      <section className="card" aria-labelledby="create-heading">
        <h2 id="create-heading">Create a key</h2>
        <form className="stack" onSubmit={submit} aria-label="Create API key">
          {create.error ? (
            <p role="alert">
              {create.error.message.startsWith("[") ? "Check the fields below." : create.error.message}
            </p>
          ) : null}
          <label>
            Name
            <input
              name="name"
              value={name}
              onChange={(event) => setName(event.target.value)}
              required
              maxLength={100}
              placeholder="CI deploy job"
              aria-invalid={fieldErrors.name ? true : undefined}
            />
            {fieldErrors.name ? <span className="field-error">{fieldErrors.name.join(" ")}</span> : null}
          </label>
          <fieldset>
            <legend>Scopes</legend>
            {grantableScopes.map((scope) => (
              <label key={scope} className="choice">
                <input
                  type="checkbox"
                  name="scopes"
                  value={scope}
                  checked={chosen.includes(scope)}
                  onChange={(event) =>
                    setChosen((list) =>
                      event.target.checked ? [...list, scope] : list.filter((item) => item !== scope),
                    )
                  }
                />
                <code>{scope}</code>
              </label>
            ))}
            {fieldErrors.scopes ? <span className="field-error">{fieldErrors.scopes.join(" ")}</span> : null}
          </fieldset>
          <label>
            Expires
            <select name="expiry" value={expiry} onChange={(event) => setExpiry(event.target.value)}>
              <option value="7">in 7 days</option>
              <option value="30">in 30 days</option>
              <option value="90">in 90 days</option>
              <option value="365">in a year</option>
              <option value="never">never (until revoked)</option>
            </select>
          </label>
          <button type="submit" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create key"}
          </button>
        </form>
      </section>
      <section className="card" aria-labelledby="keys-heading">
        <h2 id="keys-heading">Your keys</h2>
        {keys.error ? <p role="alert">{keys.error.message}</p> : null}
        {revoke.error ? <p role="alert">{revoke.error.message}</p> : null}
        {keys.isPending ? <p className="muted">Loading keys…</p> : null}
        {keys.data && keys.data.length === 0 ? <p className="muted">No keys yet.</p> : null}
        {keys.data && keys.data.length > 0 ? (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.map((key) => (
                <tr key={key.id} data-testid={`api-key-${key.name}`}>
                  <td>{key.name}</td>
                  <td>
                    <code>{key.start}…</code>
                  </td>
                  <td>{key.scopes.join(" ")}</td>
                  <td>{key.createdAt.toLocaleDateString()}</td>
                  <td>{key.lastUsedAt ? key.lastUsedAt.toLocaleString() : "never"}</td>
                  <td>{key.expiresAt ? key.expiresAt.toLocaleDateString() : "never"}</td>
                  <td>
                    {key.revokedAt ? (
                      <span className="muted">revoked</span>
                    ) : (
                      <button
                        type="button"
                        className="danger"
                        disabled={revoke.isPending}
                        aria-label={`Revoke ${key.name}`}
                        onClick={() => revoke.mutate({ id: key.id })}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
    </>
  );
}

function NewKey({ created, onDone }: { created: Created; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <section className="card" aria-labelledby="new-key-heading">
      <h2 id="new-key-heading">Your new key “{created.name}”</h2>
      <p>
        <strong>Copy it now: it is shown only once.</strong> We keep only a fingerprint, so we cannot show it again.
      </p>
      <p>
        <code data-testid="new-api-key" className="secret">
          {created.key}
        </code>
      </p>
      <p className="row">
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard?.writeText(created.key).then(() => setCopied(true));
          }}
        >
          {copied ? "Copied" : "Copy key"}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          I have saved it
        </button>
      </p>
    </section>
  );
}
