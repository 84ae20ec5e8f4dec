import type { Principal } from "@gatehouse/auth/principal";
import { noInput } from "~/lib/input-schemas";
import { protectedProcedure, publicProcedure, router } from "../trpc";

const summarize = (principal: Principal) => ({
  subject: principal.subject,
  kind: principal.kind,
  scopes: [...principal.scopes],
});

export const authRouter = router({
  /** Who is calling: the token's `sub`, the credential kind and its scopes. */
  me: protectedProcedure.input(noInput).query(({ ctx }) => summarize(ctx.principal)),
  /** The same, or `null` for an anonymous caller (pages use it to choose what to show). */
  session: publicProcedure.input(noInput).query(({ ctx }) => (ctx.principal ? summarize(ctx.principal) : null)),
});
