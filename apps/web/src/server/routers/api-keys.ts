import { listApiKeys } from "@gatehouse/db/api-keys";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { env } from "~/env";
import { noInput, text } from "~/lib/input-schemas";
import { getAuth } from "../auth";
import { createApiKey, MAX_API_KEY_LIFETIME_DAYS } from "../create-api-key";
import { mintingLimits } from "../minting-limits";
import { revokeApiKeyEverywhere } from "../revoke-api-key";
import { scopes } from "../scopes";
import { credentialMintingProcedure, router, scopedProcedure } from "../trpc";

const keyReader = scopedProcedure("api_keys:read");
const keyWriter = scopedProcedure("api_keys:write");

const createInput = z.strictObject({
  name: text().trim().min(1, "Give the key a name").max(100),
  scopes: z
    .array(text().refine((scope) => scopes.has(scope), "Unknown scope"))
    .min(1, "Choose at least one scope")
    .max(32),
  /** Days until the key stops working; `null` = never (until revoked); omitted = 90 days. */
  expiresInDays: z.number().int().min(1).max(MAX_API_KEY_LIFETIME_DAYS).nullable().optional(),
});

/** A key as its owner sees it: never the secret, never the digest (tRPC sends only these fields). */
const apiKeyInfo = z.object({
  id: z.uuid(),
  userId: z.uuid().describe("The owner's id"),
  name: z.string(),
  start: z.string().describe("The key's first characters, to recognise it in a list"),
  scopes: z.array(z.string()),
  expiresAt: z.date().nullable().describe("`null`: never expires (until revoked)"),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  createdAt: z.date(),
});

export const apiKeysRouter = router({
  /**
   * Mints a key for the signed-in user. The full key is in this answer only; we keep its SHA-256.
   * The key gets only scopes the calling credential holds and never outlives it (#10 §2).
   */
  create: credentialMintingProcedure("api_keys:write")
    .input(createInput)
    .output(apiKeyInfo.extend({ key: z.string().describe("The full key: shown in this answer only") }))
    .mutation(async ({ ctx, input }) => {
      const limits = mintingLimits(ctx.principal);
      // The owner first: an unreachable database is then `ctx.user()`'s 503, not an internal error.
      const owner = await ctx.user();
      const environment = env().apiKeyEnvironment;
      const created = await createApiKey((await ctx.database()).db, {
        ...input,
        owner,
        limits,
        environment,
        now: new Date(),
      });
      void (await getAuth()).events.record({
        type: "api_key.created",
        userId: owner.id,
        headers: ctx.headers,
        detail: `API key ${created.id} (${created.scopes.join(" ")})`,
      });
      return created;
    }),

  /** The user's keys: never the secret, never the digest. */
  list: keyReader
    .input(noInput)
    .output(z.array(apiKeyInfo))
    // The account's id, not the principal's subject: an external issuer's `sub` is not one of our ids.
    .query(async ({ ctx }) => listApiKeys((await ctx.database()).db, (await ctx.user()).id)),

  /** Revokes one of the user's own keys, in this process at once and in every instance via NOTIFY. */
  revoke: keyWriter
    .input(z.strictObject({ id: z.uuid() }))
    .output(z.object({ revoked: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      // The key and every key it minted, in one transaction; every instance drops them and the
      // access tokens minted from them (client credentials).
      const owner = await ctx.user();
      const auth = await getAuth();
      const revoked = await revokeApiKeyEverywhere(await ctx.database(), auth, {
        userId: owner.id,
        id: input.id,
      });
      if (!revoked) throw new TRPCError({ code: "NOT_FOUND", message: "No such API key" });
      const also = revoked > 1 ? ` and ${revoked - 1} key(s) it minted` : "";
      void auth.events.record({
        type: "api_key.revoked",
        userId: owner.id,
        headers: ctx.headers,
        detail: `API key ${input.id}${also}`,
      });
      return { revoked: true };
    }),
});
