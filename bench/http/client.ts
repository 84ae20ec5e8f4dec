/**
 * A lean HTTP client for the load the bench generates beside autocannon: node:http on a
 * keep-alive agent. undici's `fetch` cost the bench ~5 ms of CPU per login request on the same
 * two cores as the server under test.
 */
import { type Agent, request } from "node:http";

export interface Answer {
  status: number;
  body: string;
}

export function send(
  agent: Agent,
  url: URL,
  options: { method?: string; headers: Record<string, string>; body?: string },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method: options.method ?? "GET", headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(options.body);
  });
}
