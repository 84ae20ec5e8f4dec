import { verifyAuthEventChain } from "@gatehouse/db/auth-event-chain";
import type { Database } from "@gatehouse/db/client";
import type { ChainKey } from "~/server/auth-event-key";
import { CliError, type Output } from "./cli-error";

/**
 * Walks the security log from its signed checkpoint to its signed head. OK: prints the head
 * (keep that line somewhere else: it is what shows a later rollback). Broken: a CliError
 * (exit 1) naming the first row where history differs from what the app wrote.
 */
export async function eventsVerify(context: { database: Database; output: Output; key: ChainKey }): Promise<void> {
  const report = await verifyAuthEventChain(context.database.db, context.key.isSigned);
  if (!report.ok) {
    throw new CliError(
      report.rowId === null
        ? `security log tampered with: ${report.reason}`
        : `security log tampered with at row ${report.rowId}: ${report.reason}`,
    );
  }
  context.output.out(
    `OK: ${report.rows} event(s) from checkpoint row ${report.checkpointId} to head row ${report.headId} (${report.headHash})`,
  );
}
