/**
 * Creates the suite's sign-in account in the e2e server's database before `next start` opens
 * it. The production server never creates the demo user itself (GATEHOUSE_DEMO_USER is
 * refused in production), so the suite seeds it the way an operator would seed any account:
 * from outside the server, with the app's own code.
 */
import { createDb } from "@gatehouse/db/client";
import { env } from "../src/env";
import { ensureDemoUser } from "../src/server/demo-user";

const config = env();
const database = await createDb({ url: config.databaseUrl, dataDir: config.pgliteDir });
try {
  await ensureDemoUser(database.db);
} finally {
  await database.close();
}
