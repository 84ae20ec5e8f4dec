// Where the real-Postgres test leg runs, and whether a server answers there.
import net from "node:net";

export const testPostgresUrl = process.env.GATEHOUSE_TEST_PG_URL || "postgres://postgres@127.0.0.1:5432/postgres";

/** True when something accepts TCP connections at the URL's host and port within 2 s. */
export function postgresAnswers(url = testPostgresUrl) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 5432) });
    socket.setTimeout(2000);
    socket.once("connect", () => resolve(socket.end() && true));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => resolve(socket.destroy() && false));
  });
}
