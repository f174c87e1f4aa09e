import type { ClientTransport } from './client-transport.ts';
import type { SigningKey } from './crypto/keys.ts';
import { auditService } from './proto.ts';
import { ServiceClient } from './service-client.ts';

/** A client of the Audit service, for auditors (DPOs). */
export class AuditClient extends ServiceClient<'Query' | 'GetCheckpoint' | 'ProveInclusion' | 'ProveConsistency' | 'GetEvidence'> {
  constructor(address: string, agency: string, key: SigningKey, audience: string, transport: ClientTransport = {}) {
    super(auditService().Client, address, agency, key, audience, transport);
  }
}
