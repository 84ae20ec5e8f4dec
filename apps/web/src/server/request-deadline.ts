/**
 * The longest a procedure may take before the caller gets a 503 with Retry-After instead of
 * waiting. postgres.js bounds each connection attempt (`connect_timeout`) and each statement
 * (`statement_timeout`), but a query queued for a pooled connection waits for the pool to
 * reconnect, however long the database stays down: this is the bound on that wait.
 *
 * The procedure is not cancelled: a mutation that was queued may still run once the database
 * is back, so a client retrying a 503 should make its mutations idempotent or check first.
 */
import { ServiceUnavailable } from "@gatehouse/auth/errors";

/** `work`, or a ServiceUnavailable thrown when it has not settled within `ms`. */
export async function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ServiceUnavailable("The service did not answer in time; retry shortly")), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
