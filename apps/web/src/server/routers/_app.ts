import { createCallerFactory, router } from "../trpc";
import { accountRouter } from "./account";
import { apiKeysRouter } from "./api-keys";
import { authRouter } from "./auth";
import { notesRouter } from "./notes";

export const appRouter = router({
  auth: authRouter,
  account: accountRouter,
  apiKeys: apiKeysRouter,
  notes: notesRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
