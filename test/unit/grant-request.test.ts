import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantedEvent, readConsentEvent } from '../../broker/consent/consent-events.ts';
import { ConsentLog } from '../../broker/consent/consent-log.ts';
import { consentFromGrant, type GrantLimits, type GrantRequest } from '../../broker/consent/grant-request.ts';
import { CONSENT_TIME_FLOOR, DEFAULT_MAX_CONSENT_VALIDITY_DAYS } from '../../broker/consent/grant-times.ts';
import { materialiseDemo } from '../../cli/demo-setup.ts';
import { KeyRing } from '../../lib/crypto/key-ring.ts';
import { generateAgencyKeyPair, importSigningKey } from '../../lib/crypto/keys.ts';
import { Pseudonymiser } from '../../lib/crypto/pseudonym.ts';
import { RECORD_DOMAINS, RecordSigner, type NodeKeyLookup } from '../../lib/crypto/record-signature.ts';
import { isHubError } from '../../lib/errors/hub-error.ts';
import type { BatchingProducer } from '../../lib/kafka/batching-producer.ts';
import { createLogger } from '../../lib/log.ts';
import { loadPolicy } from '../../policies/policy-loader.ts';
import type { Policy } from '../../policies/policy.types.ts';

const NOW = Date.parse('2026-11-21T10:00:00+07:00');
const MINUTE = 60_000;
const DAY = 86_400_000;
const YEAR = 365 * DAY;
const FLOOR = Date.parse(CONSENT_TIME_FLOOR);
const LIMITS: GrantLimits = { maxValidityDays: DEFAULT_MAX_CONSENT_VALIDITY_DAYS };
const iso = (ms: number) => new Date(ms).toISOString();

let dir: string;
let policy: Policy;
let pseudonyms: Pseudonymiser;
let signer: RecordSigner;
let nodeKeys: NodeKeyLookup;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xhub-grant-'));
  const demo = await materialiseDemo(dir);
  policy = await loadPolicy(demo.policiesDir);
  pseudonyms = await Pseudonymiser.fromFile(demo.pseudonymKeyFile);
  const pair = await generateAgencyKeyPair('node-1-key');
  signer = new RecordSigner('node-1', await importSigningKey(pair.privateJwk, 'test'));
  const ring = await KeyRing.fromJwks([['node:node-1', { keys: [pair.publicJwk] }]]);
  nodeKeys = (nodeId, kid) => ring.findKeyObject(`node:${nodeId}`, kid);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A Grant as the wire decodes it, valid at NOW; override what a test is about. */
function request(
  over: Partial<GrantRequest> = {},
  collection: Partial<NonNullable<GrantRequest['collection']>> = {},
): GrantRequest {
  return {
    subject: '1101700203450',
    consumer: 'MOPH',
    items: [{ recordType: 'rd.income-tax.annual-summary', provider: '' }],
    purposes: ['PUBLIC_HEALTH_SERVICE'],
    validFrom: '',
    validTo: iso(NOW + 30 * DAY),
    dataLifeDays: 30,
    maxUses: 0,
    collection: {
      method: 'mobile-app',
      collectedAt: iso(NOW - MINUTE),
      reference: 'thangrat-session-42',
      ...collection,
    },
    noticeVersion: 'moph-income-notice-v3',
    explicit: false,
    ...over,
  };
}

const grant = (r: GrantRequest, limits = LIMITS) =>
  consentFromGrant(r, policy, limits, pseudonyms, 'DGA', NOW);

/** The field an INVALID_ARGUMENT names: the start of its message, as a caller writes the field. */
function refusedField(r: GrantRequest, limits = LIMITS): string {
  try {
    grant(r, limits);
  } catch (error) {
    if (isHubError(error) && error.code === 'ERR_INVALID_ARGUMENT')
      return /^[a-z_.[\]0-9]+/.exec(error.message)?.[0] ?? error.message;
    throw error;
  }
  throw new Error('the grant was accepted');
}

describe('Grant times: bounded, and readable by every node', () => {
  it('refuses a collection date before 1970, naming the field (issue 11: accepted, then dead-lettered by every reader)', () => {
    expect(refusedField(request({}, { collectedAt: '1969-12-31T23:59:59Z' }))).toBe(
      'collection.collected_at',
    );
    expect(refusedField(request({}, { collectedAt: '0001-01-01T00:00:00Z' }))).toBe(
      'collection.collected_at',
    );
  });

  it('refuses a collection before the PDPA was published, and takes one from that day on', () => {
    expect(refusedField(request({}, { collectedAt: iso(FLOOR - 1) }))).toBe('collection.collected_at');
    expect(grant(request({}, { collectedAt: CONSENT_TIME_FLOOR })).collection.collectedAt).toBe(FLOOR);
  });

  it('refuses a collection time in the future beyond five minutes of clock skew', () => {
    expect(refusedField(request({}, { collectedAt: iso(NOW + 5 * MINUTE + 1) }))).toBe(
      'collection.collected_at',
    );
    expect(grant(request({}, { collectedAt: iso(NOW + 5 * MINUTE) })).collection.collectedAt).toBe(
      NOW + 5 * MINUTE,
    );
  });

  it('refuses a validity that ends before it starts, or starts before the floor', () => {
    expect(refusedField(request({ validFrom: iso(NOW + 2 * DAY), validTo: iso(NOW + DAY) }))).toBe(
      'valid_to',
    );
    expect(refusedField(request({ validFrom: iso(NOW + DAY), validTo: iso(NOW + DAY) }))).toBe('valid_to');
    expect(refusedField(request({ validFrom: '1960-01-01T00:00:00+07:00' }))).toBe('valid_from');
  });

  it('refuses a validity longer than the configured maximum (default ten calendar years)', () => {
    const tenYears = '2036-11-21T10:00:00+07:00';
    expect(grant(request({ validFrom: iso(NOW), validTo: tenYears })).validTo).toBe(Date.parse(tenYears));
    expect(
      refusedField(
        request({ validFrom: iso(NOW), validTo: iso(NOW + DEFAULT_MAX_CONSENT_VALIDITY_DAYS * DAY + 1) }),
      ),
    ).toBe('valid_to');
    expect(refusedField(request({ validTo: iso(NOW + 31 * DAY) }), { maxValidityDays: 30 })).toBe('valid_to');
    expect(refusedField(request({ validFrom: iso(NOW + 11 * YEAR), validTo: iso(NOW + 12 * YEAR) }))).toBe(
      'valid_from',
    );
  });

  it('refuses times that would not read back as sent: impossible dates, no offset', () => {
    expect(refusedField(request({ validTo: '2027-02-30T00:00:00Z' }))).toBe('valid_to');
    expect(refusedField(request({}, { collectedAt: '2026-11-21T09:00:00' }))).toBe('collection.collected_at');
  });

  it('refuses a collection reference it would otherwise cut short, or could not sign', () => {
    expect(refusedField(request({}, { reference: 'r'.repeat(129) }))).toBe('collection.reference');
    expect(grant(request({}, { reference: 'r'.repeat(128) })).collection.reference).toHaveLength(128);
    // RFC 8785 cannot sign it: the event would never reach the topic, and the caller would get INTERNAL.
    expect(refusedField(request({}, { reference: 'half a pair \uD800' }))).toBe('collection.reference');
    expect(grant(request({}, { reference: 'ครบ 😀' })).collection.reference).toBe('ครบ 😀');
  });
});

describe('Grant round-trip (property): whatever Grant accepts, every node reads back as granted', () => {
  const offsets = fc.constantFrom(0, 420, -210, 345, -720);
  /** `ms` as RFC 3339 in an offset of `minutes`, as clients in different zones write it. */
  const rfc3339 = (ms: number, minutes: number) => {
    const local = new Date(ms + minutes * MINUTE).toISOString();
    if (minutes === 0) return local;
    const abs = Math.abs(minutes);
    return `${local.slice(0, -1)}${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  };
  const timeIn = (min: number, max: number) =>
    fc.tuple(fc.integer({ min, max }), offsets).map(([ms, o]) => rfc3339(ms, o));
  /** Mostly near the bounds (floor, now, the maximum validity), sometimes anywhere or not a time at all. */
  const anyTime = fc.oneof(
    { weight: 8, arbitrary: timeIn(FLOOR - 2 * YEAR, NOW + 12 * YEAR) },
    { weight: 1, arbitrary: timeIn(Date.parse('0000-01-01T00:00:00Z'), Date.parse('9999-12-31T23:59:59Z')) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  );
  /** A validity window: mostly a start (or none: now) and a length, so both ends land near their bounds together. */
  const window = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          fc.option(fc.integer({ min: FLOOR - YEAR, max: NOW + 11 * YEAR }), { nil: undefined }),
          fc.integer({ min: -DAY, max: 11 * YEAR }),
          offsets,
          offsets,
        )
        .map(([from, length, o1, o2]) => ({
          validFrom: from === undefined ? '' : rfc3339(from, o1),
          validTo: rfc3339((from ?? NOW) + length, o2),
        })),
    },
    { weight: 1, arbitrary: fc.record({ validFrom: fc.oneof(fc.constant(''), anyTime), validTo: anyTime }) },
  );
  // Free text reaches the topic as it came: include what JSON, UTF-8 and RFC 8785 treat specially.
  const special = fc.constantFrom('"', '\\', '\u0000', '\u2028', '\uD800', '\uDFFF', '😀', 'ก');
  const char = (unit: 'grapheme-ascii' | 'binary') => fc.string({ minLength: 1, maxLength: 1, unit });
  const text = fc.string({
    maxLength: 130,
    unit: fc.oneof(
      { weight: 20, arbitrary: char('grapheme-ascii') },
      { weight: 4, arbitrary: char('binary') },
      { weight: 1, arbitrary: special },
    ),
  });
  /** One of the valid values mostly, anything now and then. */
  const mostly = <T>(values: T[], other: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: other });

  it('any accepted Grant produces an event that passes the readers’ signature and schema checks, with its values intact', () => {
    const item = fc.constantFrom(...policy.recordTypes.values()).chain((type) =>
      fc.record({
        recordType: mostly([type.id], fc.string()),
        provider: mostly(['', type.provider], fc.string()),
      }),
    );
    const grantRequest = fc
      .tuple(
        fc.record({
          subject: mostly(['1101700203450', '3100500123458'], fc.string({ maxLength: 14 })),
          consumer: mostly(['MOPH', 'BMA', 'FPO'], fc.string({ maxLength: 8 })),
          items: fc.array(item, { minLength: 1, maxLength: 3 }),
          purposes: fc.array(mostly([...policy.purposes.keys()], fc.string()), {
            minLength: 1,
            maxLength: 3,
          }),
          dataLifeDays: fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 1, max: 3650 }) }, fc.integer()),
          maxUses: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff_ffff })),
          collection: fc.option(
            fc.record({
              method: mostly(['mobile-app', 'web', 'paper-form', 'in-person', 'call-centre'], fc.string()),
              collectedAt: fc.oneof(
                { weight: 4, arbitrary: timeIn(FLOOR - 30 * DAY, NOW + 30 * MINUTE) },
                anyTime,
              ),
              reference: text,
            }),
            { freq: 30, nil: null },
          ),
          noticeVersion: mostly(['v1', 'moph-income-notice-v3'], fc.string({ maxLength: 70 })),
          explicit: fc.boolean(),
        }),
        window,
      )
      .map(([r, w]): GrantRequest => ({ ...r, ...w }));
    const maxValidityDays = fc.oneof(
      { weight: 3, arbitrary: fc.constant(DEFAULT_MAX_CONSENT_VALIDITY_DAYS) },
      fc.integer({ min: 1, max: 36_525 }),
    );
    let accepted = 0;
    fc.assert(
      fc.property(grantRequest, maxValidityDays, (r, max) => {
        let consent;
        try {
          consent = grant(r, { maxValidityDays: max });
        } catch (error) {
          expect(
            isHubError(error) && ['ERR_INVALID_ARGUMENT', 'ERR_INVALID_CITIZEN_ID'].includes(error.code),
            String(error),
          ).toBe(true);
          return;
        }
        accepted++;
        const event = grantedEvent(consent);
        // The bytes a reader gets from Kafka, through the reader's own checks.
        const read = readConsentEvent(
          Buffer.from(signer.sign(RECORD_DOMAINS.consentEvent, event), 'utf8'),
          nodeKeys,
        );
        expect(read).toMatchObject({ event: { ...event, consent } });
      }),
      { numRuns: 2000 },
    );
    // The property says nothing if (almost) nothing was accepted: about one in eight is.
    expect(accepted).toBeGreaterThan(150);
  });
});

describe('the writer checks its event with the readers’ schema', () => {
  it('does not write, or apply, a consent event that every reader would dead-letter', async () => {
    const sent: unknown[] = [];
    const producer = {
      send: async (_topic: string, message: unknown) => void sent.push(message),
    } as unknown as BatchingProducer;
    const log = new ConsentLog({
      kafka: {} as Kafka,
      producer,
      topic: 't',
      deadLetterTopic: 'd',
      nodeId: 'node-1',
      signer,
      nodeKeys: () => nodeKeys,
      groupPrefix: 'g.',
      log: createLogger('test', 'silent'),
    });
    const consent = grant(request());
    const before1970 = { ...consent, collection: { ...consent.collection, collectedAt: -1 } };
    await expect(log.publish(grantedEvent(before1970), consent.consentId)).rejects.toMatchObject({
      code: 'ERR_INTERNAL',
      message: expect.stringMatching(/collectedAt/),
    });
    expect(sent).toEqual([]);
    expect(log.view.get(consent.consentId)).toBeUndefined();
    await log.publish(grantedEvent(consent), consent.consentId);
    expect(sent).toHaveLength(1);
    expect(log.view.get(consent.consentId)).toMatchObject({ consentId: consent.consentId });
  });
});
