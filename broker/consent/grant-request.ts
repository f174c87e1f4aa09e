import { randomUUID } from 'node:crypto';
import { assertCitizenId } from '../../lib/citizen-id.ts';
import type { Pseudonymiser } from '../../lib/crypto/pseudonym.ts';
import { HubError } from '../../lib/errors/hub-error.ts';
import { clip, parseTime } from '../../lib/input.ts';
import type { CollectionMethod, ConsentRecord } from '../../policies/consent.types.ts';
import type { Policy } from '../../policies/policy.types.ts';

export interface GrantRequest {
  subject: string;
  consumer: string;
  items: { recordType: string; provider: string }[];
  purposes: string[];
  validFrom: string;
  validTo: string;
  dataLifeDays: number;
  maxUses: number;
  collection: { method: string; collectedAt: string; reference: string } | null;
  noticeVersion: string;
  /** Proto3 bool: false when a client built before the field leaves it out. */
  explicit: boolean;
}

const METHODS: CollectionMethod[] = ['mobile-app', 'web', 'paper-form', 'in-person', 'call-centre'];
const bad = (message: string) => new HubError('ERR_INVALID_ARGUMENT', message);

/**
 * Turns a Grant call into an immutable consent record, or says exactly what is
 * wrong. PDPA s.19: consent is explicit, specific to named purposes and record
 * types, time-bound, and says how it was collected and what notice was shown.
 */
export function consentFromGrant(request: GrantRequest, policy: Policy, pseudonyms: Pseudonymiser, grantedBy: string, now = Date.now()): ConsentRecord {
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
  const validFrom = request.validFrom === '' ? now : parseTime(request.validFrom, 'valid_from');
  const validTo = parseTime(request.validTo, 'valid_to');
  if (validTo <= validFrom) throw bad('valid_to must be after valid_from');
  if (validTo <= now) throw bad('valid_to is in the past');
  if (!Number.isInteger(request.dataLifeDays) || request.dataLifeDays < 1 || request.dataLifeDays > 3650) throw bad('data_life_days must be 1 to 3650');
  if (!request.collection) throw bad('collection is required: how and when the consent was collected');
  if (!METHODS.includes(request.collection.method as CollectionMethod)) throw bad(`collection.method must be one of ${METHODS.join(', ')}`);
  const collectedAt = parseTime(request.collection.collectedAt, 'collection.collected_at');
  if (collectedAt > now + 60_000) throw bad('collection.collected_at is in the future');
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
    collection: { method: request.collection.method as CollectionMethod, collectedAt, ...(request.collection.reference ? { reference: request.collection.reference.slice(0, 128) } : {}) },
    noticeVersion: request.noticeVersion,
    explicit: request.explicit === true,
    grantedAt: now,
    grantedBy,
  };
}

function dedupe(items: { recordType: string; provider: string }[]): { recordType: string; provider: string }[] {
  return [...new Map(items.map((i) => [i.recordType, i])).values()];
}
