/**
 * The page every browser navigation gets while the database cannot be reached: a real 503
 * (with Retry-After) and a sentence a person can read, instead of a framework error page.
 *
 * Why here and not in the App Router: a page component cannot choose its status (only
 * `notFound()`/`redirect()` can), and once a page streams, its status is sent. So the proxy
 * asks the database first, for document requests only (a full page load; client-side
 * navigations and API calls are answered by error.tsx and the 503 problem bodies). The cost
 * is one `select 1` per page load. The page is self-contained: the layout, fonts and
 * stylesheet are not needed to say that the database is down.
 */
import { getDatabase } from "../db";
import { logger } from "../log/logger";
import { withinDeadline } from "../request-deadline";

export const DATABASE_DOWN_TITLE = "Gatehouse is temporarily unavailable";
export const DATABASE_DOWN_MESSAGE =
  "We can't reach our database right now. Nothing you entered was lost; please try again in a few seconds.";

/** A full page load: a GET/HEAD for a page that is not a React Server Components fetch or prefetch. */
export function isDocumentRequest(request: Request, pathname: string): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  if (pathname.startsWith("/api/") || pathname.startsWith("/.well-known/")) return false;
  return !request.headers.has("rsc") && !request.headers.has("next-router-prefetch");
}

/** True when the database answers a ping within `deadlineMs`. */
export async function databaseAnswers(deadlineMs: number): Promise<boolean> {
  try {
    await withinDeadline(
      getDatabase().then((database) => database.ping()),
      deadlineMs,
    );
    return true;
  } catch (error) {
    logger().warn({ err: error }, "database did not answer the page check: serving the 503 page");
    return false;
  }
}

export function databaseDownPage(options: { nonce: string | undefined; requestId: string }): Response {
  const nonce = options.nonce ? ` nonce="${options.nonce}"` : "";
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${DATABASE_DOWN_TITLE}</title>
<link rel="icon" href="data:,">
<style${nonce}>
:root { color-scheme: light dark; --fg: #111; --muted: #555; --bg: #fafafa; --card: #fff; --border: #ddd; }
@media (prefers-color-scheme: dark) { :root { --fg: #eee; --muted: #aaa; --bg: #111; --card: #1b1b1b; --border: #333; } }
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 36rem; margin: 0 auto; padding: 3rem 1rem; }
.card { background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: 1.25rem; }
h1 { font-size: 1.5rem; margin: 0 0 0.75rem; }
.muted { color: var(--muted); }
</style>
</head>
<body>
<main>
<div class="card" role="alert">
<h1>${DATABASE_DOWN_TITLE}</h1>
<p>${DATABASE_DOWN_MESSAGE}</p>
<p class="muted">Error 503 · request <code>${options.requestId}</code></p>
</div>
</main>
</body>
</html>
`;
  return new Response(html, {
    status: 503,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "retry-after": "5" },
  });
}
