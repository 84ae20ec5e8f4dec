/**
 * Server start-up: check the environment, so a missing production secret stops the server
 * with a clear message naming the variable; then open the database in the background, so
 * the first visitor does not wait for the embedded database's initdb and migrations.
 */
import { EnvError, env } from "./env";
import { getDatabase } from "./server/db";
import { logInternalError } from "./server/internal-error";
import { logger } from "./server/log/logger";

if (process.env.NEXT_PHASE !== "phase-production-build") {
  try {
    env();
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    logger().fatal(`✗ Gatehouse cannot start: ${error.message}`);
    process.exit(1);
  }
  getDatabase().catch((error: unknown) => {
    // Not fatal: a Postgres that is still starting is retried on the next request (503 until then).
    logInternalError("database open at start-up (retried on the next request)", error);
  });
}
