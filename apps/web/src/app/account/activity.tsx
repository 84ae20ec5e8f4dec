import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "~/server/routers/_app";

type Activity = inferRouterOutputs<AppRouter>["account"]["activity"];

/** The signed-in user's recent security activity (the security log), rendered on the server. */
export function SecurityActivity({ events }: { events: Activity }) {
  return (
    <section className="card" aria-labelledby="activity-heading">
      <h2 id="activity-heading">Recent security activity</h2>
      {events.length === 0 ? (
        <p className="muted">Nothing recorded yet.</p>
      ) : (
        <table data-testid="security-activity">
          <thead>
            <tr>
              <th scope="col">What</th>
              <th scope="col">When (UTC)</th>
              <th scope="col">Address</th>
              <th scope="col">Browser or client</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr key={event.id}>
                <td>{event.label}</td>
                <td>
                  <time dateTime={event.at.toISOString()}>{event.at.toISOString().slice(0, 19).replace("T", " ")}</time>
                </td>
                <td className="mono">{event.address ?? "unknown"}</td>
                <td>{event.userAgent ?? "unknown"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
