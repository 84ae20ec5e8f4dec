/**
 * The app's logger (pino). One JSON object per line in production (`LOG_FORMAT=json`, the
 * default outside development), coloured readable lines in development (`pino-pretty`, used as
 * an in-process stream: pino's `transport` option would start a worker thread, which Next's
 * bundle cannot load). Every line of a request carries its `requestId` (./request-context.ts);
 * every object is redacted (./redact.ts) before it is written.
 *
 *   import { logger } from "~/server/log/logger";
 *   logger().warn({ userId }, "sign-in throttled");
 */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";
import pretty from "pino-pretty";
import { env } from "~/env";
import { redactForLog, scrubSecrets } from "./redact";
import { currentRequestId } from "./request-context";

export type LogFormat = "json" | "pretty";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface CreateLoggerOptions {
  /** Default: `info`. */
  level?: LogLevel;
  /** Default: `json`. */
  format?: LogFormat;
  /** Where lines go. Default: standard output. Tests pass their own. */
  destination?: DestinationStream;
}

export function createLogger({ level = "info", format = "json", destination }: CreateLoggerOptions = {}): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: "gatehouse" },
    timestamp: pino.stdTimeFunctions.isoTime,
    // The request id of whatever request this line is written in.
    mixin() {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
    // Errors are described by the redaction below (no parameters, frames only); pino's own
    // serializer would copy the raw message and every enumerable field back.
    serializers: { err: (value: unknown) => value },
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => redactForLog(object),
    },
    // A last pass over the whole line (message, bindings): credential-shaped text is cut.
    hooks: { streamWrite: scrubSecrets },
  };
  const stream =
    format === "pretty"
      ? pretty({
          sync: true,
          colorize: destination === undefined,
          translateTime: "SYS:HH:MM:ss.l",
          ignore: "pid,hostname,service",
          destination: destination ?? 1,
        })
      : (destination ?? pino.destination({ dest: 1, sync: true }));
  return pino(options, stream);
}

type Holder = { gatehouseLogger?: Logger };
const holder = globalThis as Holder;

/** The app's logger, made on first use from LOG_LEVEL / LOG_FORMAT (defaults if the environment is invalid). */
export function logger(): Logger {
  holder.gatehouseLogger ??= createLogger(settings());
  return holder.gatehouseLogger;
}

/** Replaces the app's logger (tests capture lines with it); `undefined` goes back to the default. */
export function setLogger(replacement: Logger | undefined): void {
  holder.gatehouseLogger = replacement;
}

function settings(): CreateLoggerOptions {
  try {
    return env().log;
  } catch {
    // A bad environment is reported through this logger: it must still work.
    return {};
  }
}
