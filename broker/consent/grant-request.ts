import { randomUUID } from 'node:crypto';
import { assertCitizenId } from '../../lib/citizen-id.ts';
import type { Pseudonymiser } from '../../lib/crypto/pseudonym.ts';
import { HubError } from '../../lib/errors/hub-error.ts';
import { clip } from '../../lib/input.ts';
import type { GrantRequest__Output } from '../../lib/proto-types/xhub/consent/v1/GrantRequest.ts';
import type { CollectionMethod, ConsentRecord } from '../../policies/consent.types.ts';
import type { Policy } from '../../policies/policy.types.ts';
import { grantTimes } from './grant-times.ts';

/** A Grant call as decoded from the wire (generated from proto/). */
export type GrantRequest = GrantRequest__Output;

/** What the node's config bounds in every Grant. */
export interface GrantLimits {
  /** The longest a consent may be valid, from valid_from to valid_to (config maxConsentValidityDays). */
  maxValidityDays: number;
}

const METHODS: CollectionMethod[] = ['mobile-app', 'web', 'paper-form', 'in-person', 'call-centre'];
const bad = (message: string) => new HubError('ERR_INVALID_ARGUMENT', message);

/**
 * Turns a Grant call into an immutable consent record, or says exactly what is
 * wrong. PDPA s.19: consent is explicit, specific to named purposes and record
 * types, time-bound, and says how it was collected and what notice was shown.
 * Every value is checked here, naming the field, so that nothing accepted can
 * fail the consent event schema when another node reads it back.
 */
export function consentFromGrant(request: GrantRequest, policy: Policy, limits: GrantLimits, pseudonyms: Pseudonymiser, grantedBy: string, now = Date.now()): ConsentRecord {
  assertCitizenId(request.subject);
  const consumer = policy.agencies.get(request.consumer);
  if (!consumer?.roles.includes('consumer')) throw bad(`consumer: "${clip(request.consumer)}" is not an agency that may receive records`);
  if (request.items.length === 0) throw bad('items: name at least one record type');
  const items = request.items.map((item, i) => {
    const type = policy.recordTypes.get(item.recordType);
    if (!type) throw bad(`items[${i}].record_type: unknown record type "${clip(item.recordType)}"`);
    if (item.provider && item.provider !== type.provider) throw bad(`items[${i}].provider: ${item.recordType} is provided by ${type.provider}, not "${clip(item.provider)}"`);
    return { recordType: type.id, provider: type.provider };
  });
  if (request.purposes.length === 0) throw bad('purposes: a consent is specific to its purposes; name at least one');
  const unknown = request.purposes.find((p) => !policy.purposes.has(p));
  if (unknown !== undefined) throw bad(`purposes: unknown purpose "${clip(unknown)}"`);
  if (!Number.isInteger(request.dataLifeDays) || request.dataLifeDays < 1 || request.dataLifeDays > 3650) throw bad('data_life_days must be 1 to 3650');
  if (!Number.isInteger(request.maxUses) || request.maxUses < 0) throw bad('max_uses must be a whole number (0 for no limit)');
  if (!request.collection) throw bad('collection is required: how and when the consent was collected');
  if (!METHODS.includes(request.collection.method as CollectionMethod)) throw bad(`collection.method must be one of ${METHODS.join(', ')}`);
  // Refused, not cut short: what the consent manager reads back must be what it sent. A lone
  // surrogate (possible from a client that does not speak UTF-8) cannot be signed as RFC 8785 JSON.
  if (request.collection.reference.length > 128 || /\p{Cs}/u.test(request.collection.reference)) {
    throw bad('collection.reference must be at most 128 characters of Unicode text');
  }
  const { validFrom, validTo, collectedAt } = grantTimes({ validFrom: request.validFrom, validTo: request.validTo, collectedAt: request.collection.collectedAt }, limits.maxValidityDays, now);
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(request.noticeVersion)) throw bad('notice_version is required: the version of the notice shown to the person (1-64 of A-Z a-z 0-9 . _ : -)');
  return {
    consentId: randomUUID(),
    subjectRef: pseudonyms.of(request.subject),
    consumer: consumer.id,
    items: dedupe(items),
    purposes: [...new Set(request.purposes)],
    validFrom,
    validTo,
    dataLifeDays: request.dataLifeDays,
    ...(request.maxUses > 0 ? { maxUses: request.maxUses } : {}),
    collection: { method: request.collection.method as CollectionMethod, collectedAt, ...(request.collection.reference ? { reference: request.collection.reference } : {}) },
    noticeVersion: request.noticeVersion,
    explicit: request.explicit === true,
    grantedAt: now,
    grantedBy,
  };
}

function dedupe(items: { recordType: string; provider: string }[]): { recordType: string; provider: string }[] {
  return [...new Map(items.map((i) => [i.recordType, i])).values()];
}
