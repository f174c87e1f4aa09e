import { HubError } from '../../../lib/errors/hub-error.ts';
import type { RestAuthConfig } from '../backend.types.ts';
import { readConfigFile } from './config-file.ts';
import { OAuth2TokenSource, type TokenTransport } from './oauth2-token-source.ts';

/** Credentials attached to each request towards a backend. */
export interface HttpAuth {
  /** Headers for one attempt; waits for a token at most until `deadline`. */
  headers(deadline: AbortSignal): Promise<Record<string, string>>;
  /** After a 401 to `used`: forgets them and says whether fresh ones are worth one more attempt. */
  renew(used: Record<string, string>): boolean;
}

const NO_AUTH: HttpAuth = { headers: async () => ({}), renew: () => false };

/** Reads key and secret files now, so a missing file stops start-up rather than the first request. */
export async function createHttpAuth(
  auth: RestAuthConfig | undefined,
  transport: TokenTransport,
  timeoutMs: number,
): Promise<HttpAuth> {
  switch (auth?.type) {
    case undefined:
    case 'none':
      return NO_AUTH;
    case 'api-key': {
      const header = auth.header.toLowerCase();
      const key = (await readConfigFile('auth.keyFile', auth.keyFile)).trim();
      return { headers: async () => ({ [header]: key }), renew: () => false };
    }
    case 'oauth2-client-credentials': {
      const clientSecret = (await readConfigFile('auth.clientSecretFile', auth.clientSecretFile)).trim();
      const source = new OAuth2TokenSource({
        tokenUrl: auth.tokenUrl,
        clientId: auth.clientId,
        clientSecret,
        scope: auth.scope,
        timeoutMs,
        transport,
      });
      return {
        headers: async (deadline) => ({ authorization: `Bearer ${await source.token(deadline)}` }),
        renew: (used) => {
          source.discard((used.authorization ?? '').slice('Bearer '.length));
          return true;
        },
      };
    }
    default:
      throw new HubError('ERR_CONFIG_INVALID', `auth.type ${(auth as { type: string }).type} is not known`);
  }
}
