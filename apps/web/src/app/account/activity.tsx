import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "~/server/routers/_app";

type Activity = inferRouterOutputs<AppRouter>["account"]["activity"];

/** The signed-in user's recent security activity (the security log), rendered on the server. */
export function SecurityActivity({ events }: { events: Activity }) {
  return (
    // Focusable: on a phone the table scrolls sideways inside the card, and a keyboard user
    // must be able to scroll it (it holds nothing else that takes focus): axe's
    // scrollable-region-focusable (WCAG 2.1.1) outranks the lint's general advice.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable
    <section className="card" aria-labelledby="activity-heading" tabIndex={0}>
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
