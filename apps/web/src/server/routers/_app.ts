import { createCallerFactory, router } from "../trpc";
import { accountRouter } from "./account";
import { authRouter } from "./auth";
import { notesRouter } from "./notes";

export const appRouter = router({
  auth: authRouter,
  account: accountRouter,
  notes: notesRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
