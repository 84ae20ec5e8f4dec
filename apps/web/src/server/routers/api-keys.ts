import { issueApiKey } from "@gatehouse/auth/api-key";
import { API_KEY_REVOKED_CHANNEL } from "@gatehouse/auth/api-key-verifier";
import { insertApiKey, listApiKeys, revokeApiKey } from "@gatehouse/db/api-keys";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { env } from "~/env";
import { getAuth } from "../auth";
import { scopes, scopeValidator } from "../scopes";
import { router, scopedProcedure } from "../trpc";

const keyReader = scopedProcedure("api_keys:read");
const keyWriter = scopedProcedure("api_keys:write");

const createInput = z.object({
  name: z.string().trim().min(1, "Give the key a name").max(100),
  scopes: z
    .array(z.string().refine((scope) => scopes.has(scope), "Unknown scope"))
    .min(1, "Choose at least one scope")
    .max(32),
  /** Days until the key stops working; none = until revoked. */
  expiresInDays: z.number().int().min(1).max(365).optional(),
});

export const apiKeysRouter = router({
  /** Mints a key for the signed-in user. The full key is in this answer only; we keep its SHA-256. */
  create: keyWriter.input(createInput).mutation(async ({ ctx, input }) => {
    const owner = await ctx.user();
    // A key never holds more than its owner: refused here, and re-checked at every use.
    const issued = issueApiKey({
      scopes: input.scopes,
      ownerScopes: owner.scopes,
      validator: scopeValidator,
      environment: env().production ? "live" : "test",
    });
    const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
    const row = await insertApiKey((await ctx.database()).db, {
      userId: owner.id,
      name: input.name,
      keyHash: issued.hash,
      start: issued.start,
      scopes: issued.scopes,
      expiresAt,
    });
    return { ...row, key: issued.key };
  }),

  /** The user's keys: never the secret, never the digest. */
  list: keyReader.query(async ({ ctx }) => listApiKeys((await ctx.database()).db, ctx.principal.subject)),

  /** Revokes one of the user's own keys, in this process at once and in every instance via NOTIFY. */
  revoke: keyWriter.input(z.object({ id: z.uuid() })).mutation(async ({ ctx, input }) => {
    const database = await ctx.database();
    const hash = await revokeApiKey(database.db, { userId: ctx.principal.subject, id: input.id });
    if (!hash) throw new TRPCError({ code: "NOT_FOUND", message: "No such API key" });
    (await getAuth()).apiKeys.invalidate(hash);
    await database.notify(API_KEY_REVOKED_CHANNEL, hash);
    return { revoked: true };
  }),
});
