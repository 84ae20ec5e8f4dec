/**
 * Each test worker gets its own data folder (development keys land there) and a fixed
 * issuer. Set before any module reads the environment, which happens lazily.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

process.env.GATEHOUSE_DATA_DIR = mkdtempSync(path.join(tmpdir(), "gatehouse-web-test-"));
process.env.AUTH_ISSUER = "http://localhost:3000";
process.env.GATEHOUSE_DEMO_USER = "0";
process.env.LOG_LEVEL ??= "silent"; // Tests that read logs capture their own (src/test/captured-logs.ts).
