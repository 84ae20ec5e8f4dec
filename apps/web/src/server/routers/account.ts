import { router, userProcedure } from "../trpc";

export const accountRouter = router({
  /** The signed-in user's account row, without the password hash. */
  get: userProcedure.query(({ ctx }) => {
    const { passwordHash: _hidden, ...account } = ctx.account;
    return account;
  }),
});
