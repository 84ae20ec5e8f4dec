/**
 * Our access tokens are trusted only while this instance's revoked set is current (#11 §1).
 * Before the first load from `access_revocations`, and from a LISTEN reconnect until the
 * reload after it (notices sent while the listener was down are lost), a token that was
 * revoked meanwhile would pass. So a verify then waits for the reload, up to the request
 * deadline (REQUEST_TIMEOUT_MS), and answers 503 with Retry-After if the set could not be
 * loaded by then: never an acceptance the set might contradict. When current (nearly always),
 * this costs one read.
 */
import { ServiceUnavailable } from "@gatehouse/auth/errors";
import type { Verifier } from "@gatehouse/auth/verifier";
import type { AccessRevocationSubscription } from "./access-revocation";
import { withinDeadline } from "./request-deadline";

export const REVOCATIONS_RELOADING_DETAIL = "Revoked tokens are being reloaded; retry shortly";

export function holdWhileReloading(
  verifier: Verifier,
  feed: Pick<AccessRevocationSubscription, "untilCurrent">,
  options: { deadlineMs: number },
): Verifier {
  if (!(options.deadlineMs > 0)) throw new TypeError("holdWhileReloading: deadlineMs must be positive");
  return {
    verify(token) {
      const pending = feed.untilCurrent();
      if (pending === null) return verifier.verify(token);
      return withinDeadline(pending, options.deadlineMs).then(
        () => verifier.verify(token),
        (cause: unknown) => {
          throw new ServiceUnavailable(REVOCATIONS_RELOADING_DETAIL, { cause });
        },
      );
    },
  };
}
