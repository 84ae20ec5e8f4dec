/**
 * The smallest valid input for each procedure that takes one (random ids: a 404 or a no-op
 * proves the call got past auth). A procedure not listed is called without input; its 400
 * then also counts as past auth, as inputs are parsed after the auth middleware.
 * Shared by the authorization matrix and the OpenAPI consistency test.
 */
import { randomUUID } from "node:crypto";

export const MINIMAL_INPUTS: Readonly<Record<string, unknown>> = {
  "account.revokeSession": { familyId: randomUUID() },
  // A wrong current password: 400 past auth, and nothing of the session caller's is revoked.
  "account.changePassword": { currentPassword: "not anyone's password", newPassword: "a brand new passphrase, long" },
  "apiKeys.create": { name: "matrix", scopes: ["api_keys:read"] },
  "apiKeys.revoke": { id: randomUUID() },
  "notes.get": { id: randomUUID() },
  "notes.create": { title: "matrix" },
  "notes.update": { id: randomUUID(), title: "matrix" },
  "notes.delete": { id: randomUUID() },
};
