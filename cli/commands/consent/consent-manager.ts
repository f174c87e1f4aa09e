import type { Command } from 'commander';
import type { ConsentRecord__Output } from '../../../lib/proto-types/xhub/consent/v1/ConsentRecord.ts';
import { ConsentClient } from '../../../lib/consent-client.ts';
import { agencyCallOptions, agencyCredentials, callError, type AgencyCallOptions } from '../agency-call.ts';

export type ConsentManagerOptions = AgencyCallOptions;

/** A consent as the Consent service returns it: the contract's ConsentRecord (generated from proto/). */
export type ConsentView = ConsentRecord__Output;

/** Options of every `xhub consent` command: the consent-manager agency (the demo's DGA) and the node. */
export function consentManagerOptions(command: Command): Command {
  return agencyCallOptions(command, 'DGA', 'consent-manager');
}

/**
 * Calls one Consent method as the consent manager. The service validates
 * everything: a refusal comes back as its error code and message.
 */
export async function callConsent<T>(o: ConsentManagerOptions, method: 'Grant' | 'Revoke' | 'Get' | 'List' | 'RevokeAll', request: object): Promise<T> {
  const { key, transport } = await agencyCredentials(o);
  const client = new ConsentClient(o.node, o.as, key, o.audience, transport);
  try {
    return await client.call<T>(method, request);
  } catch (error) {
    throw callError(error);
  } finally {
    client.close();
  }
}

/** One line per consent: id, status, whether explicit, who may receive what, for which purposes, until when. */
export function consentLine(c: ConsentView): string {
  const types = c.items.map((i) => `${i.recordType} (${i.provider})`).join(', ');
  const uses = c.maxUses > 0 ? `${c.uses}/${c.maxUses} uses` : `${c.uses} uses`;
  return `${c.consentId}  ${c.status}  ${c.explicit ? 'explicit' : 'not explicit'}  ${c.consumer} may receive ${types} for ${c.purposes.join(', ')}, ${c.validFrom} to ${c.validTo}, ${uses}`;
}
