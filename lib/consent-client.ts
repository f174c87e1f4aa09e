import type { ClientTransport } from './client-transport.ts';
import type { SigningKey } from './crypto/keys.ts';
import { consentService } from './proto.ts';
import { ServiceClient } from './service-client.ts';

/** A client of the Consent service, for consent managers and auditors. */
export class ConsentClient extends ServiceClient<'Grant' | 'Revoke' | 'Get' | 'List' | 'RevokeAll'> {
  constructor(address: string, agency: string, key: SigningKey, audience: string, transport: ClientTransport = {}) {
    super(consentService().Client, address, agency, key, audience, transport);
  }
}
