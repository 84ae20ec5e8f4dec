import { createApiKeyVerifier, subscribeToRevocations } from "@gatehouse/auth/api-key-verifier";
import { apiKeyHeader } from "@gatehouse/auth/scheme";
import { missingScope } from "@gatehouse/auth/scopes";
import { createAuthenticator } from "@gatehouse/auth/verifier";
import { createDb } from "@gatehouse/db/client";
import { createApiKeyStore } from "~/server/api-key-store";
import { type AppScope, scopeValidator } from "~/server/scopes";
import { listenForRevocations } from "./revocation-notice";

/**
 * A second app instance on a real Postgres: its own connection pool, its own API-key verifier
 * (cache included) wired as auth.ts wires the app's, and its own listener connection, LISTENing
 * before this resolves. `call` answers as a procedure requiring `scope` would: 200, 401 or 403.
 */
export async function startSecondInstance(url: string) {
  const database = await createDb({ url, migrate: false, maxConnections: 2 });
  const verifier = createApiKeyVerifier({ store: createApiKeyStore(async () => database), validator: scopeValidator });
  const unsubscribe = await subscribeToRevocations({
    listen: (channel, onPayload, onListen) => database.listen(channel, onPayload, onListen),
    verifiers: [verifier],
  });
  const notices = await listenForRevocations(database);
  const authenticator = createAuthenticator([{ scheme: apiKeyHeader(), verifier }]);
  return {
    /** Resolves once this instance has received (and handled) exactly this revocation payload. */
    received: notices.next,
    async call(key: string, scope: AppScope): Promise<200 | 401 | 403> {
      try {
        const principal = await authenticator.authenticate(new Headers({ "x-api-key": key }));
        if (!principal) return 401;
        return missingScope(scopeValidator, principal.scopes, [scope]) ? 403 : 200;
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (status === 401 || status === 403) return status;
        throw error;
      }
    },
    async stop() {
      await notices.stop();
      await unsubscribe();
      await verifier.close();
      await database.close();
    },
  };
}
