import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";

export const metadata: Metadata = { title: "Page not found" };

/** Any URL that is no page here (and `notFound()` from a page): a 404 with a way back. */
export default async function NotFound() {
  // Rendered per request, never prerendered: a static page would carry no CSP nonce on its
  // scripts, and the page's policy would block them all.
  await connection();
  return (
    <main>
      <div className="card">
        <h1>Page not found</h1>
        <p>There is no page at this address. It may have moved, or the link may be mistyped.</p>
        <Link href="/" className="button">
          Go to the start page
        </Link>
      </div>
    </main>
  );
}
