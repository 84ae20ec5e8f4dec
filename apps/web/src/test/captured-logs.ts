/**
 * Captures what the app's logger writes during a test (every level): `captureLogs()` in a
 * test or `beforeEach`, read `lines()` (parsed) or `text()` (raw), and the default logger
 * comes back after the test.
 */
import { onTestFinished } from "vitest";
import { createLogger, setLogger } from "~/server/log/logger";

export interface CapturedLogs {
  /** Each line, parsed. */
  lines(): Record<string, unknown>[];
  /** Everything written, as written. */
  text(): string;
}

export function captureLogs(): CapturedLogs {
  const written: string[] = [];
  setLogger(createLogger({ level: "trace", destination: { write: (line: string) => void written.push(line) } }));
  onTestFinished(() => setLogger(undefined));
  return {
    lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => written.join(""),
  };
}
