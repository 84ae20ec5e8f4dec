/**
 * Digests the server stamps on errors it wants a page's error boundary to recognise. In
 * production Next.js hides a server error's message from the browser and passes only its
 * `digest` (kept when the error already has one), so this is how error.tsx can tell "the
 * database is down, try again" from "something broke".
 */
export const SERVICE_UNAVAILABLE_DIGEST = "GATEHOUSE_SERVICE_UNAVAILABLE";
