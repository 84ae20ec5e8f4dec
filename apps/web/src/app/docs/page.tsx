import type { Metadata } from "next";
import Link from "next/link";
import { Nav } from "~/components/nav";
import { ApiReference } from "./api-reference";
import { signedInEmail } from "./signed-in-email";
// Swagger UI's own stylesheet, bundled with the app (no CDN); only this route loads it.
import "swagger-ui-dist/swagger-ui.css";
import "./docs.css";

export const metadata: Metadata = { title: "API reference" };
// The page's CSP nonce is per request.
export const dynamic = "force-dynamic";

export default async function DocsPage() {
  return (
    <>
      <Nav email={await signedInEmail()} />
      <main className="docs">
        <h1>API reference</h1>
        <p className="muted">
          Every procedure and what it needs, generated from the code (<a href="/api/openapi.json">openapi.json</a>).
          Press <strong>Authorize</strong> to use an API key or sign in with the password flow; signed in here, your
          browser session is used. What each scope allows: <Link href="/scopes">Scopes</Link>.
        </p>
        <ApiReference />
      </main>
    </>
  );
}
