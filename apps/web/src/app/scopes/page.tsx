import type { Metadata } from "next";
import Link from "next/link";
import { Nav } from "~/components/nav";
import { appRouter } from "~/server/routers/_app";
import { scopeCatalog } from "~/server/scope-catalog";
import { signedInEmail } from "../docs/signed-in-email";

export const metadata: Metadata = { title: "Scopes" };
export const dynamic = "force-dynamic";

const list = (paths: string[]) =>
  paths.length === 0 ? (
    <span className="muted">none</span>
  ) : (
    paths.map((path, index) => (
      <span key={path}>
        {index > 0 ? ", " : ""}
        <code>{path}</code>
      </span>
    ))
  );

export default async function ScopesPage() {
  const catalog = scopeCatalog(appRouter);
  return (
    <>
      <Nav email={await signedInEmail()} />
      <main>
        <h1>Scopes</h1>
        <p className="muted">
          A scope is <code>resource:action</code>. A wildcard grants more: <code>notes:*</code> every notes action,{" "}
          <code>*:read</code> every read; <code>write</code> implies <code>read</code>. Tokens and API keys carry
          scopes; each procedure in the <Link href="/docs">API reference</Link> lists the ones it needs.
        </p>
        {catalog.map((entry) => (
          <section key={entry.scope} className="card" aria-labelledby={`scope-${entry.scope}`}>
            <h2 id={`scope-${entry.scope}`}>
              <code>{entry.scope}</code>
            </h2>
            <p>{entry.description}</p>
            <dl>
              <dt>Required by</dt>
              <dd data-testid={`required-by-${entry.scope}`}>{list(entry.requiredBy)}</dd>
              <dt>Alone, lets a credential call</dt>
              <dd>{list(entry.callable)}</dd>
            </dl>
          </section>
        ))}
      </main>
    </>
  );
}
