export declare const LOOPBACK: "127.0.0.1";
export declare function nextArguments(
  command: string,
  args: readonly string[],
  environment: Record<string, string | undefined>,
): string[];
