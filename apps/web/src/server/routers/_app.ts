import { createCallerFactory, router } from "../trpc";
import { accountRouter } from "./account";
import { authRouter } from "./auth";

export const appRouter = router({
  auth: authRouter,
  account: accountRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
