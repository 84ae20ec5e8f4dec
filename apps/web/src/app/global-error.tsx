"use client";

import "./globals.css";

/**
 * The last resort, when the root layout itself failed: it replaces the whole document, so it
 * brings its own <html> and <body>. Fixed words only; the digest is what the server logged.
 */
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body>
        <main>
          <div className="card" role="alert">
            <h1>Something went wrong</h1>
            <p>Gatehouse could not show this page. Try again in a moment.</p>
            {error.digest ? (
              <p className="muted">
                Reference <code>{error.digest}</code>
              </p>
            ) : null}
            <button type="button" onClick={reset}>
              Try again
            </button>
          </div>
        </main>
      </body>
    </html>
  );
}
