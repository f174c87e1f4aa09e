import type { ClientTransport } from './client-transport.ts';
import type { SigningKey } from './crypto/keys.ts';
import { accessLogService } from './proto.ts';
import { ServiceClient } from './service-client.ts';

/** A client of the AccessLog service, for consent managers (a citizen app's backend). */
export class AccessLogClient extends ServiceClient<'ListForCitizen'> {
  constructor(address: string, agency: string, key: SigningKey, audience: string, transport: ClientTransport = {}) {
    super(accessLogService().Client, address, agency, key, audience, transport);
  }
}
