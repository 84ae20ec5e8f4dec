/**
 * The `client_id` of tokens this app issues to itself for a user's sign-in (the browser session,
 * the password and refresh grants): RFC 9068 §2.2 requires one in every access token. A
 * client-credentials token carries its API key's id instead, which is how `minting-limits.ts`
 * tells the two apart.
 */
export const FIRST_PARTY_CLIENT_ID = "gatehouse";
