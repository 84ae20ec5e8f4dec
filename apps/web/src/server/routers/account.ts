import { z } from "zod";
import { noInput } from "~/lib/input-schemas";
import { getAuth } from "../auth";
import { router, userProcedure } from "../trpc";

export const accountRouter = router({
  /** The signed-in user's account row, without the password hash. */
  get: userProcedure.input(noInput).query(({ ctx }) => {
    const { passwordHash: _hidden, ...account } = ctx.account;
    return account;
  }),

  /** Live sign-ins (refresh-token families); `current` marks the one making this request. */
  sessions: userProcedure.input(noInput).query(async ({ ctx }) => {
    const families = await (await getAuth()).refreshTokens.listActiveFamilies(ctx.account.id);
    return families.map((family) => ({ ...family, current: family.familyId === ctx.principal.claims.sid }));
  }),

  /** Signs one sign-in out (its refresh tokens die; its access token lapses within minutes). */
  revokeSession: userProcedure.input(z.strictObject({ familyId: z.uuid() })).mutation(async ({ ctx, input }) => {
    const revoked = await (await getAuth()).refreshTokens.revokeFamily(ctx.account.id, input.familyId);
    return { revoked };
  }),

  /** "Sign out everywhere": every refresh-token family of this user is revoked. */
  signOutEverywhere: userProcedure.input(noInput).mutation(async ({ ctx }) => {
    const revoked = await (await getAuth()).refreshTokens.revokeAllForUser(ctx.account.id);
    return { revoked };
  }),
});
