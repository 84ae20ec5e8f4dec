/** Exit codes: 0 done, 1 the operation failed, 2 the command line is wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A failure with a message for the operator; `main` prints it and exits with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: typeof EXIT_FAILED | typeof EXIT_USAGE;
  constructor(message: string, exitCode: typeof EXIT_FAILED | typeof EXIT_USAGE = EXIT_FAILED) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** The command line is wrong: exit 2, with a pointer to `--help`. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT_USAGE);
  }
}

/** Where commands write: stdout for results, stderr for everything said to the operator. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}
