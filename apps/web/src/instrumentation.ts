import type { Instrumentation } from "next";

/** Runs once when the server starts; the Node-only checks live in their own module. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") await import("./instrumentation-node");
}

/**
 * An error that escaped a page, server action or route (route handlers catch their own): one
 * line through the app's logger, with the request id the proxy gave the request, redacted.
 */
export const onRequestError: Instrumentation.onRequestError = async (error, request, context) => {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { logRequestError } = await import("./server/log/request-error");
  logRequestError(error, request, context);
};
