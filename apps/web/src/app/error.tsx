"use client";

import Link from "next/link";
import { SERVICE_UNAVAILABLE_DIGEST } from "~/lib/error-digests";

/**
 * What a page shows when its server work failed. The database being down (the server stamps
 * that error's digest) gets its own words and a retry; anything else a fixed message and the
 * digest to quote, never the error's text (Next.js hides it in production anyway).
 */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const unavailable = error.digest === SERVICE_UNAVAILABLE_DIGEST;
  return (
    <main>
      <div className="card" role="alert">
        <h1>{unavailable ? "Temporarily unavailable" : "Something went wrong"}</h1>
        <p>
          {unavailable
            ? "We can't reach our database right now. Nothing you entered was lost; please try again in a few seconds."
            : "This page could not be shown. Try again; if it keeps happening, quote the reference below."}
        </p>
        {error.digest && !unavailable ? (
          <p className="muted">
            Reference <code>{error.digest}</code>
          </p>
        ) : null}
        <div className="row">
          <button type="button" onClick={reset}>
            Try again
          </button>
          <Link href="/" className="button secondary">
            Home
          </Link>
        </div>
      </div>
    </main>
  );
}
