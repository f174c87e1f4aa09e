import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { status } from '@grpc/grpc-js';
import { Kafka, logLevel, type KafkaConfig, type KafkaMessage, type LogEntry } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { readAuditLog } from '../../broker/audit/audit-source.ts';
import { verifyLog } from '../../broker/audit/verify-log.ts';
import { hubVerifier } from '../../cli/commands/audit/verify.ts';
import { queryAll } from '../../cli/commands/audit/auditor-client.ts';
import type { RunningNode } from '../../broker/node.ts';
import { canonicalJson, sha256b64url } from '../../lib/crypto/digest.ts';
import {
  generateAgencyKeyPair,
  importSigningKey,
  loadSigningKeyFile,
  type SigningKey,
} from '../../lib/crypto/keys.ts';
import { Pseudonymiser } from '../../lib/crypto/pseudonym.ts';
import { RECORD_DOMAINS, RecordSigner, type RecordDomain } from '../../lib/crypto/record-signature.ts';
import { ExchangeClient } from '../../lib/exchange-client.ts';
import { DLQ_HEADERS } from '../../lib/kafka/dead-letter.ts';
import { connectorPrincipal, KAFKA_AUDIT_READER, nodePrincipal } from '../../lib/kafka/principals.ts';
import { topicNames, type TopicNames } from '../../lib/kafka/topics.ts';
import { loadPolicy, nodeKeyLookup } from '../../policies/policy-loader.ts';
import { grant } from '../helpers/consent-grant.ts';
import { expectFailure } from '../helpers/grpc-error.ts';
import { HubFixture, SOMCHAI, SOMSRI } from '../helpers/hub-fixture.ts';
import { KafkaTap, produce } from '../helpers/kafka-tap.ts';
import { revokeTopicRights } from '../helpers/revoke-rights.ts';
import { kafkaConnection, testKafka } from '../helpers/test-kafka.ts';

/**
 * The hostile-bus suite (issue 9): an attacker with network access to Kafka,
 * or with the credentials of a principal that may write a topic, gets no
 * data, forges no state and stalls nothing. Real broker (SASL_SSL, SCRAM,
 * StandardAuthorizer, no-ACL-deny), real node and connectors, real TLS.
 */


const INCOME = 'rd.income-tax.annual-summary';
const CIVIL = 'dopa.civil-registration.person';
const DAY = 86_400_000;
const REFUSED = 'ERR_RECORD_SIGNATURE_INVALID';

type Granted = { consent: { consentId: string } };
type KafkaFailure = Error & { type?: string; cause?: KafkaFailure };

const header = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString() ?? '';

/** Fails with `what` if `promise` has not settled within `ms`: a stall is a failure, not a hang. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms: stalled`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Awaits an attempt the broker must refuse, and returns the error it failed with. */
async function refused(attempt: Promise<unknown>, what: string): Promise<KafkaFailure> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e as KafkaFailure,
  );
  expect(error, `${what}: the broker allowed it`).toBeInstanceOf(Error);
  return error!;
}

/** The Kafka error type (TOPIC_AUTHORIZATION_FAILED, ...) of a kafkajs error or of its cause. */
const kafkaType = (e: KafkaFailure): string | undefined => e.type ?? e.cause?.type;

/**
 * A kafkajs client built the way an outsider builds one: its own security
 * options (or none), few retries, and kafkajs's debug log kept so the reason
 * the broker gave can be read (kafkajs hides some of them behind generic errors).
 */
function outsider(security: Pick<KafkaConfig, 'ssl' | 'sasl'>, logs: LogEntry['log'][] = []): Kafka {
  return new Kafka({
    clientId: 'hostile',
    brokers: inject('kafka').brokers,
    ...security,
    connectionTimeout: 2_000,
    authenticationTimeout: 3_000,
    retry: { retries: 1, initialRetryTime: 50 },
    logLevel: logLevel.DEBUG,
    logCreator: () => (entry) => void logs.push(entry.log),
  });
}

/** A principal's own credentials, as a stolen credentials file would give them. */
function asPrincipal(principal: string): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const { ca, credentials } = kafkaConnection(principal);
  return {
    ssl: { ca: [ca!], rejectUnauthorized: true },
    sasl: { mechanism: 'scram-sha-512', username: credentials!.username, password: credentials!.password },
  };
}

/** The end offset of every partition of `topics`, as the admin sees them: "nothing changed" means these did not move. */
async function endOffsets(topics: string[]): Promise<Record<string, number[]>> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const out: Record<string, number[]> = {};
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      out[topic] = offsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.high));
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/** The end offsets of `topics` once nothing more is being written to them (two reads 300 ms apart agree). */
function quiet(topics: string[], windowMs = 300): Promise<Record<string, number[]>> {
  return vi.waitFor(
    async () => {
      const first = await endOffsets(topics);
      await new Promise((r) => setTimeout(r, windowMs));
      expect(await endOffsets(topics)).toEqual(first);
      return first;
    },
    { timeout: 15_000, interval: 100 },
  );
}

/** What a Prometheus scrape of the node shows for refused records of one topic kind. */
async function rejectedCount(node: RunningNode, topic: 'consent-events' | 'audit'): Promise<number> {
  const scrape = await node.metrics.metrics();
  const line = scrape
    .split('\n')
    .find(
      (l) =>
        l.startsWith('xhub_rejected_records_total{') &&
        l.includes(`topic="${topic}"`) &&
        l.includes(`code="${REFUSED}"`),
    );
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** Writes one transaction as the admin (the only principal allowed transactional ids), then commits or aborts it. */
async function transaction(
  prefix: string,
  messages: { topic: string; partitions: number; value: string }[],
  outcome: 'commit' | 'abort',
): Promise<void> {
  const producer = testKafka(undefined, 'hostile-tx').producer({
    transactionalId: `${prefix}hostile-${randomUUID()}`,
    maxInFlightRequests: 1,
    idempotent: true,
  });
  await producer.connect();
  try {
    const tx = await producer.transaction();
    for (const { topic, partitions, value } of messages) {
      await tx.send({
        topic,
        acks: -1,
        messages: Array.from({ length: partitions }, (_, partition) => ({ partition, value })),
      });
    }
    await (outcome === 'commit' ? tx.commit() : tx.abort());
  } finally {
    await producer.disconnect();
  }
}

/** Writes one record as `principal` and returns its offset. */
async function send(principal: string, topic: string, value: string, partition?: number): Promise<number> {
  const producer = testKafka(principal, 'hostile-producer').producer({
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    const [meta] = await producer.send({
      topic,
      acks: -1,
      messages: [{ value, ...(partition === undefined ? {} : { partition }) }],
    });
    return Number(meta!.baseOffset);
  } finally {
    await producer.disconnect();
  }
}

describe('a hostile Kafka bus', () => {
  let hub: HubFixture;
  let t: TopicNames;
  let deadLetters: KafkaTap;
  let pseudonyms: Pseudonymiser;
  let node2: SigningKey;
  /** An Ed25519 key no policy registers. */
  let rogue: SigningKey;
  /** Audit entries this file forged, by their bytes: verify must name exactly these. */
  const forgedAudit = new Set<string>();

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA', 'RD'] });
    t = topicNames(hub.topicPrefix);
    deadLetters = await KafkaTap.open('admin', t.deadLetter());
    pseudonyms = await Pseudonymiser.fromFile(hub.demo.pseudonymKeyFile);
    node2 = await loadSigningKeyFile(hub.demo.nodeKeyFile('node-2'));
    rogue = await importSigningKey((await generateAgencyKeyPair('rogue')).privateJwk, 'rogue key');
    // Something worth stealing: a request envelope (citizen id in clear) and its reply are on the bus.
    await welfare(SOMSRI);
  });
  afterAll(async () => {
    await deadLetters?.close();
    await hub?.stop();
  });

  const welfare = async (subject = SOMSRI) =>
    (await hub.client('FPO')).requestRecord({
      subject,
      recordType: CIVIL,
      purpose: 'WELFARE_ELIGIBILITY',
      clientRequestId: randomUUID(),
    });
  const income = async (consentId: string, client?: ExchangeClient) =>
    (client ?? (await hub.client('MOPH'))).requestRecord({
      subject: SOMSRI,
      recordType: INCOME,
      purpose: 'PUBLIC_HEALTH_SERVICE',
      consentId,
      clientRequestId: randomUUID(),
    });
  const grantIncome = async () =>
    (await (await hub.consentClient()).call<Granted>('Grant', grant(SOMSRI))).consent.consentId;
  const listedConsents = async () =>
    (
      await (
        await hub.consentClient()
      ).call<{ consents: { consentId: string }[] }>('List', { subject: SOMSRI })
    ).consents.map((c) => c.consentId);
  const deadLetter = (predicate: (m: KafkaMessage) => boolean) => deadLetters.waitFor(predicate, 15_000);
  /** A `granted` consent event as a node writes it (unsigned): MOPH may receive SOMSRI's income record. */
  const grantedEvent = (consentId: string) => {
    const now = Date.now();
    return {
      v: 1,
      eventId: randomUUID(),
      type: 'granted',
      at: now,
      consent: {
        consentId,
        subjectRef: pseudonyms.of(SOMSRI),
        consumer: 'MOPH',
        items: [{ recordType: INCOME, provider: 'RD' }],
        purposes: ['PUBLIC_HEALTH_SERVICE'],
        validFrom: now - 60_000,
        validTo: now + 30 * DAY,
        dataLifeDays: 30,
        collection: { method: 'mobile-app', collectedAt: now - 60_000 },
        noticeVersion: 'moph-income-notice-v3',
        grantedAt: now,
        grantedBy: 'DGA',
      },
    };
  };
  /** The four ways to get a record past a trusting reader: unsigned, changed after signing, a registered key id with another key, an unregistered key. */
  const forgeries = <T extends object>(
    domain: RecordDomain,
    make: () => T,
    tamper: (signed: Record<string, unknown>) => void,
  ) => {
    const tampered = JSON.parse(new RecordSigner('node-2', node2).sign(domain, make())) as Record<
      string,
      unknown
    >;
    tamper(tampered);
    return {
      'no signature': canonicalJson(make()),
      'a signature over other content': canonicalJson(tampered),
      "node-2's key id, another key": new RecordSigner('node-2', { kid: node2.kid, key: rogue.key }).sign(
        domain,
        make(),
      ),
      'a key not registered': new RecordSigner('node-2', rogue).sign(domain, make()),
    };
  };

  describe('without credentials', () => {
    it.each([
      [
        'TLS trusting the CA, no SASL',
        () => ({ ssl: { ca: [readFileSync(inject('kafka').caFile, 'utf8')], rejectUnauthorized: true } }),
        /Closed connection/,
      ],
      ['plaintext, no TLS', () => ({}), /Closed connection|Connection error/],
      [
        "a real principal's name with a guessed password",
        () => ({
          ...asPrincipal(connectorPrincipal('DOPA')),
          sasl: {
            mechanism: 'scram-sha-512' as const,
            username: connectorPrincipal('DOPA'),
            password: 'guessed-password-123',
          },
        }),
        /SASL SCRAM SHA512 authentication failed|Authentication failed/i,
      ],
    ])(
      '%s: metadata, produce and consume are refused, and nothing changes',
      async (_name, security, reason) => {
        const watched = [t.requests('DOPA'), t.consentEvents(), t.audit()];
        const before = await endOffsets(watched);
        const kafka = outsider(security());
        const admin = kafka.admin();
        expect(
          (
            await refused(
              admin.connect().then(() => admin.listTopics()),
              'list topics',
            )
          ).message,
        ).toMatch(reason);
        expect(
          (
            await refused(
              admin.connect().then(() => admin.fetchTopicMetadata({ topics: [t.requests('DOPA')] })),
              'topic metadata',
            )
          ).message,
        ).toMatch(reason);
        await admin.disconnect();
        const producer = kafka.producer();
        const produced = refused(
          producer
            .connect()
            .then(() =>
              producer.send({ topic: t.consentEvents(), acks: -1, messages: [{ value: 'intruder' }] }),
            ),
          'produce',
        );
        expect((await produced).message).toMatch(
          new RegExp(`${reason.source}|The producer is disconnected`, 'i'),
        );
        await producer.disconnect();
        const stolen: KafkaMessage[] = [];
        const consumer = kafka.consumer({ groupId: `${hub.topicPrefix}connector.DOPA` });
        const consumed = refused(
          consumer
            .connect()
            .then(() => consumer.subscribe({ topic: t.requests('DOPA'), fromBeginning: true }))
            .then(() => consumer.run({ eachMessage: async ({ message }) => void stolen.push(message) })),
          'consume',
        );
        expect((await consumed).message).toMatch(reason);
        await consumer.disconnect();
        expect(stolen).toEqual([]);
        expect(await endOffsets(watched)).toEqual(before);
      },
    );
  });

  describe("with a connector's credentials (connector.RD)", () => {
    const rd = () => outsider(asPrincipal(connectorPrincipal('RD')));

    it("cannot read another agency's request topic, though it reads its own", async () => {
      const consumer = rd().consumer({ groupId: `${hub.topicPrefix}connector.RD` });
      await consumer.connect();
      try {
        const error = await refused(
          consumer.subscribe({ topic: t.requests('DOPA'), fromBeginning: true }),
          'subscribe to requests.DOPA',
        );
        expect(error.name).toBe('KafkaJSProtocolError');
        expect(kafkaType(error)).toBe('TOPIC_AUTHORIZATION_FAILED');
        // The same credentials work where the ACLs allow: the refusal is the authoriser's, not a broken login.
        await consumer.subscribe({ topic: t.requests('RD'), fromBeginning: true });
      } finally {
        await consumer.disconnect();
      }
    });

    it("cannot join DOPA's consumer group to swallow DOPA's requests", async () => {
      const logs: LogEntry['log'][] = [];
      const consumer = outsider(asPrincipal(connectorPrincipal('RD')), logs).consumer({
        groupId: `${hub.topicPrefix}connector.DOPA`,
      });
      const swallowed: KafkaMessage[] = [];
      const crashed = new Promise<{ error: KafkaFailure; restart: boolean }>((resolve) =>
        consumer.on(consumer.events.CRASH, ({ payload }) => resolve(payload as never)),
      );
      await consumer.connect();
      try {
        // A topic RD may read, so only the group stands in the way.
        await consumer.subscribe({ topic: t.requests('RD'), fromBeginning: true });
        await consumer.run({ eachMessage: async ({ message }) => void swallowed.push(message) });
        const { error, restart } = await within(15_000, 'the group join', crashed);
        expect(restart).toBe(false);
        expect(error.name).toBe('KafkaJSGroupCoordinatorNotFound');
        // kafkajs folds the broker's answer into "coordinator not found"; its log keeps the reason.
        expect(logs).toContainEqual(
          expect.objectContaining({
            groupId: `${hub.topicPrefix}connector.DOPA`,
            error: expect.objectContaining({ type: 'GROUP_AUTHORIZATION_FAILED' }),
          }),
        );
      } finally {
        await consumer.disconnect();
      }
      expect(swallowed).toEqual([]);
      // DOPA's own connector still has its requests.
      expect((await welfare(SOMCHAI)).providerId).toBe('DOPA');
    });

    it.each([
      ['consent events', (x: TopicNames) => x.consentEvents()],
      ['audit entries', (x: TopicNames) => x.audit()],
      ['audit checkpoints', (x: TopicNames) => x.auditCheckpoints()],
      ["another provider's requests", (x: TopicNames) => x.requests('DOPA')],
    ])('cannot write %s', async (_name, topicOf) => {
      const topic = topicOf(t);
      // The hub's own writers (the sequencer signs checkpoints for entries of earlier tests)
      // must be done first: only the attacker's write is to leave the offsets unchanged.
      const before = await quiet([topic, t.audit(), t.auditCheckpoints()], 1_500).then((all) => ({ [topic]: all[topic] }));
      const producer = rd().producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      try {
        const error = await refused(
          producer.send({ topic, acks: -1, messages: [{ value: canonicalJson({ forged: true }) }] }),
          `write ${topic}`,
        );
        expect(kafkaType(error)).toBe('TOPIC_AUTHORIZATION_FAILED');
        expect(error.message).toMatch(/Not authorized to access topics/);
      } finally {
        await producer.disconnect();
      }
      expect(await endOffsets([topic])).toEqual(before);
    });
  });

  describe('records from a principal that may write the topic (node.node-2), without a valid node signature', () => {
    it('a forged consent grant is not applied, not listed, dead-lettered and counted; a real grant afterwards works', async () => {
      const forged = forgeries(
        RECORD_DOMAINS.consentEvent,
        () => grantedEvent(randomUUID()),
        (e) => ((e.consent as { validTo: number }).validTo += 365 * DAY),
      );
      const consentIdOf = (value: string) =>
        (JSON.parse(value) as { consent: { consentId: string } }).consent.consentId;
      const counted = await rejectedCount(hub.node, 'consent-events');
      const rdCalls = hub.backends.get('RD')!.total;

      for (const value of Object.values(forged))
        await produce(nodePrincipal('node-2'), t.consentEvents(), value);

      for (const [how, value] of Object.entries(forged)) {
        // The dead letter shows the node has read the event: a trusting view would have applied it by now.
        const letter = await deadLetter((m) => header(m, DLQ_HEADERS.digest) === sha256b64url(value));
        expect({
          how,
          reason: header(letter, DLQ_HEADERS.reason),
          by: header(letter, DLQ_HEADERS.by),
        }).toEqual({ how, reason: REFUSED, by: 'node:node-1' });
        expect(header(letter, DLQ_HEADERS.source)).toMatch(
          new RegExp(`^${t.consentEvents().replaceAll('.', '\\.')}/\\d+/\\d+$`),
        );
        expect(header(letter, DLQ_HEADERS.message)).toMatch(/^consent event refused: /);
        expect(letter.value).toBeNull();
        await expectFailure(income(consentIdOf(value)), status.PERMISSION_DENIED, 'ERR_CONSENT_NOT_FOUND');
      }
      expect(await rejectedCount(hub.node, 'consent-events')).toBe(counted + 4);
      const listed = await listedConsents();
      for (const value of Object.values(forged)) expect(listed).not.toContain(consentIdOf(value));
      expect(hub.backends.get('RD')!.total).toBe(rdCalls);

      // Valid records still flow: a real grant is applied and covers the exchange.
      const real = await grantIncome();
      expect(JSON.parse((await income(real)).recordJson)).toEqual({
        taxYear: 2025,
        assessableIncome: 182000,
      });
      expect(await listedConsents()).toContain(real);
    });

    it('a forged audit entry is never served by Query or the s.30 report, is dead-lettered and counted, and verify names its index; later entries are indexed', async () => {
      const subjectRef = pseudonyms.of(SOMSRI);
      const forgedEntry = () => ({
        v: 1,
        id: randomUUID(),
        kind: 'delivered',
        at: Date.now(),
        exchangeId: randomUUID(),
        consumer: 'MOPH',
        provider: 'RD',
        recordType: INCOME,
        purpose: 'PUBLIC_HEALTH_SERVICE',
        subjectRef,
        lawfulBasis: 'public-task',
        agreementId: 'agr-that-does-not-exist',
        fields: ['taxYear', 'assessableIncome'],
      });
      const forged = forgeries(RECORD_DOMAINS.auditEntry, forgedEntry, (e) => (e.consumer = 'BMA'));
      const forgedIds = new Set(Object.values(forged).map((v) => (JSON.parse(v) as { id: string }).id));
      const counted = await rejectedCount(hub.node, 'audit');

      for (const value of Object.values(forged)) {
        await produce(nodePrincipal('node-2'), t.audit(), value);
        forgedAudit.add(value);
      }
      // A real exchange after the forgeries: later valid entries must still be indexed and served.
      const later = await welfare(SOMSRI);

      const pdpc = await hub.auditClient();
      const served = await vi.waitFor(
        async () => {
          const rows = await queryAll(pdpc, {});
          expect(
            rows.some((r) => r.entry.exchangeId === later.exchangeId && r.entry.kind === 'delivered'),
          ).toBe(true);
          return rows;
        },
        { timeout: 15_000, interval: 200 },
      );
      const log = await within(
        15_000,
        'reading the audit log',
        readAuditLog(testKafka(KAFKA_AUDIT_READER), hub.topicPrefix),
      );
      const indexes = Object.fromEntries(
        Object.entries(forged).map(([how, value]) => [
          how,
          log.entries.findIndex((e) => e.equals(Buffer.from(value))),
        ]),
      );
      for (const [how, i] of Object.entries(indexes))
        expect(i, `${how}: forged entry not on the topic`).toBeGreaterThanOrEqual(0);
      const laterIndex = served.find((r) => r.entry.exchangeId === later.exchangeId)!.index;
      expect(laterIndex).toBeGreaterThan(Math.max(...Object.values(indexes)));

      // Query: not one forged entry, though the index has gone past them all.
      expect(served.filter((r) => forgedIds.has(r.entry.id))).toEqual([]);
      // The s.30 report asks for the person's entries: the forged "delivered to MOPH" is not among them.
      const report = await queryAll(pdpc, { subject: SOMSRI });
      expect(report.some((r) => r.entry.exchangeId === later.exchangeId)).toBe(true);
      expect(
        report.filter((r) => forgedIds.has(r.entry.id) || r.entry.agreementId === 'agr-that-does-not-exist'),
      ).toEqual([]);

      // Dead-lettered, each with its reason, naming the entry.
      for (const [how, i] of Object.entries(indexes)) {
        const letter = await deadLetter((m) =>
          header(m, DLQ_HEADERS.message).startsWith(`audit entry ${i}: `),
        );
        expect({
          how,
          reason: header(letter, DLQ_HEADERS.reason),
          source: header(letter, DLQ_HEADERS.source).split('/')[0],
        }).toEqual({ how, reason: REFUSED, source: t.audit() });
      }
      expect(await rejectedCount(hub.node, 'audit')).toBe(counted + 4);

      // verify: not OK, every forged entry named by its index, and nothing else.
      const verified = verifyLog(
        log.entries,
        log.checkpoints,
        await hubVerifier(hub.demo.policiesDir, hub.node.config.auditOrigin),
        hub.node.config.auditOrigin,
        nodeKeyLookup(await loadPolicy(hub.demo.policiesDir)),
      );
      expect(verified.ok).toBe(false);
      for (const [how, i] of Object.entries(indexes)) {
        expect(verified.failures, how).toContainEqual({
          entryIndex: i,
          reason: expect.stringMatching(new RegExp(`^entry ${i} is not a hub fact: `)),
        });
      }
      expect(verified.failures.map((f) => f.entryIndex).sort((a, b) => a! - b!)).toEqual(
        Object.values(indexes).sort((a, b) => a - b),
      );
    });
  });

  describe('a genuine node-signed record, replayed by a principal that may write the topic', () => {
    it("a replayed 'used' event does not use up the consent", async () => {
      const events = await KafkaTap.open('admin', t.consentEvents());
      try {
        const dga = await hub.consentClient();
        const consentId = (await dga.call<Granted>('Grant', grant(SOMSRI, { maxUses: 2 }))).consent.consentId;
        await income(consentId);
        const used = await events.waitFor((m) => {
          const v = m.value?.toString() ?? '';
          return v.includes('"type":"used"') && v.includes(consentId);
        });
        // The same signed bytes, twice more, then a poison record behind them: its dead letter shows node-1 has read the replays.
        const sentinel = `sentinel-${randomUUID()}`;
        await send(nodePrincipal('node-2'), t.consentEvents(), used.value!.toString(), 0);
        await send(nodePrincipal('node-2'), t.consentEvents(), used.value!.toString(), 0);
        await send(nodePrincipal('node-2'), t.consentEvents(), sentinel, 0);
        await deadLetter((m) => header(m, DLQ_HEADERS.digest) === sha256b64url(sentinel));
        expect((await dga.call<{ uses: number }>('Get', { consentId })).uses).toBe(1);
        await income(consentId);
        await expectFailure(income(consentId), status.PERMISSION_DENIED, 'ERR_CONSENT_USES_EXHAUSTED');
      } finally {
        await events.close();
      }
    });
  });

  describe('a genuine audit entry, replayed by a principal that may write the topic', () => {
    it('is one fact, not two: served once, dead-lettered as a replay, and named by verify', async () => {
      const audit = await KafkaTap.open('admin', t.audit());
      try {
        const { exchangeId } = await welfare(SOMCHAI);
        const delivered = await audit.waitFor((m) => {
          const v = m.value?.toString() ?? '';
          return v.includes('"kind":"delivered"') && v.includes(exchangeId);
        });
        const bytes = delivered.value!.toString();
        forgedAudit.add(bytes);
        await send(nodePrincipal('node-2'), t.audit(), bytes);
        const letter = await deadLetter((m) => header(m, DLQ_HEADERS.digest) === sha256b64url(bytes) && header(m, DLQ_HEADERS.reason) === 'ERR_RECORD_REPLAYED');
        expect(header(letter, DLQ_HEADERS.message)).toMatch(/repeats an earlier entry/);
        const served = await queryAll(await hub.auditClient(), { subject: SOMCHAI });
        expect(served.filter((e) => e.entry.exchangeId === exchangeId && e.entry.kind === 'delivered')).toHaveLength(1);
        const log = await readAuditLog(testKafka(KAFKA_AUDIT_READER), hub.topicPrefix);
        const copies = log.entries.flatMap((e, i) => (e.toString() === bytes ? [i] : []));
        expect(copies).toHaveLength(2);
        const report = verifyLog(log.entries, log.checkpoints, await hubVerifier(hub.demo.policiesDir, hub.node.config.auditOrigin), hub.node.config.auditOrigin, nodeKeyLookup(await loadPolicy(hub.demo.policiesDir)));
        expect(report.failures).toContainEqual({ entryIndex: copies[1], reason: `entry ${copies[1]} replays entry ${copies[0]} (same id): one fact logged twice` });
      } finally {
        await audit.close();
      }
    });
  });

  describe('transaction markers on every topic the hub reads', () => {
    it(
      'leave offset gaps, and nothing stalls: consent decisions, a new node, checkpoints, the index, verify and exchanges go on',
      { timeout: 90_000 },
      async () => {
        const pdpc = await hub.auditClient();
        const signer = new RecordSigner('node-2', node2);
        // Harmless contents, validly signed where the hub believes signatures: only the markers are the attack.
        const usedEvent = signer.sign(RECORD_DOMAINS.consentEvent, {
          v: 1,
          eventId: randomUUID(),
          type: 'used',
          at: Date.now(),
          consentId: randomUUID(),
          exchangeId: randomUUID(),
        });
        const auditEntry = signer.sign(RECORD_DOMAINS.auditEntry, {
          v: 1,
          id: randomUUID(),
          kind: 'admin',
          at: Date.now(),
          actor: 'node-2',
          detail: 'written in a transaction',
        });
        // A genuine checkpoint to replay in a transaction (the sequencer signs one within checkpointIntervalMs of the first entries).
        const before = await vi.waitFor(
          async () => {
            const copy = await within(
              10_000,
              'reading the audit log',
              readAuditLog(testKafka(KAFKA_AUDIT_READER), hub.topicPrefix),
            );
            expect(copy.checkpoints.length).toBeGreaterThan(0);
            return copy;
          },
          { timeout: 15_000, interval: 200 },
        );
        const replayedCheckpoint = before.checkpoints.at(-1)!.toString();
        const partitions = hub.node.config.topicPartitions;
        const targets = [
          { topic: t.consentEvents(), partitions, value: usedEvent },
          { topic: t.audit(), partitions: 1, value: auditEntry },
          { topic: t.auditCheckpoints(), partitions: 1, value: replayedCheckpoint },
          { topic: t.requests('DOPA'), partitions, value: 'transactional poison' },
          { topic: t.replies('node-1'), partitions, value: 'transactional poison' },
          // One partition, read whole by every node at start: the claims of the exchanges below, and node-3's start, go past it.
          { topic: t.claims(), partitions: 1, value: 'transactional poison' },
        ];
        // Earlier calls may still be writing (a delivered entry, a checkpoint): measure once the bus is quiet.
        const ends = await quiet(targets.map((x) => x.topic));
        for (const target of targets) await transaction(hub.topicPrefix, [target], 'commit');
        // An aborted transaction on the consent topic, holding a validly signed grant: aborted, so never applied.
        const abortedConsentId = randomUUID();
        const aborted = signer.sign(RECORD_DOMAINS.consentEvent, grantedEvent(abortedConsentId));
        await transaction(
          hub.topicPrefix,
          [{ topic: t.consentEvents(), partitions, value: aborted }],
          'abort',
        );

        // The gap: every partition's end moved by its record plus a marker (and, on the consent topic, the aborted record and its
        // marker). Only the sequencer may write the checkpoint topic meanwhile, and the nodes the claims topic (a late outcome),
        // so there it moved at least as far.
        // The coordinator writes the markers after the transaction ends (WriteTxnMarkers): wait for them to land.
        for (const { topic } of targets) {
          const extra = topic === t.consentEvents() ? 4 : 2;
          if (topic === t.auditCheckpoints() || topic === t.claims())
            await expect.poll(async () => (await endOffsets([topic]))[topic]![0], { timeout: 10_000, message: topic }).toBeGreaterThanOrEqual(ends[topic]![0]! + extra);
          else await expect.poll(async () => (await endOffsets([topic]))[topic], { timeout: 10_000, message: topic }).toEqual(ends[topic]!.map((e) => e + extra));
        }

        // Past the lag tolerance, a view stuck before a marker would now refuse every consent decision.
        await new Promise((r) => setTimeout(r, hub.node.config.consentLagToleranceMs + 500));
        expect(hub.node.consents.isCurrent()).toBe(true);
        const consentId = await grantIncome();
        const viaNode1 = await income(consentId);
        expect(JSON.parse(viaNode1.recordJson)).toEqual({ taxYear: 2025, assessableIncome: 182000 });
        await expectFailure(income(abortedConsentId), status.PERMISSION_DENIED, 'ERR_CONSENT_NOT_FOUND');

        // A new node reads the consent topic from the start, markers included, and starts current.
        const node1 = hub.node;
        let node3: RunningNode | undefined;
        let viaNode3: Awaited<ReturnType<typeof income>> | undefined;
        try {
          node3 = await within(30_000, 'node-3 start-up', hub.startNode({ nodeId: 'node-3' }));
          hub.node = node1;
          expect(node3.consents.isCurrent()).toBe(true);
          expect(node3.consents.view.get(consentId)).toBeDefined();
          expect(node3.consents.view.get(abortedConsentId)).toBeUndefined();
          const moph = hub.track(
            new ExchangeClient(
              `127.0.0.1:${node3.port}`,
              'MOPH',
              await hub.key('MOPH'),
              'node-3',
              await hub.transport('MOPH'),
            ),
          );
          viaNode3 = await income(consentId, moph);
          expect(JSON.parse(viaNode3.recordJson)).toEqual({ taxYear: 2025, assessableIncome: 182000 });
        } finally {
          hub.node = node1;
          await node3?.stop();
        }

        // Exchanges through DOPA (request and reply topics both carry markers) still succeed.
        const welfareAfter = [await welfare(SOMSRI), await welfare(SOMCHAI), await welfare(SOMSRI)];
        for (const r of welfareAfter) expect(r.providerId).toBe('DOPA');

        // The index serves entries written after the markers, and checkpoints cover them.
        const exchangeIds = new Set([
          viaNode1.exchangeId,
          viaNode3.exchangeId,
          ...welfareAfter.map((r) => r.exchangeId),
        ]);
        const newest = await vi.waitFor(
          async () => {
            const rows = (await queryAll(pdpc, {})).filter(
              (r) =>
                r.entry.exchangeId !== undefined &&
                exchangeIds.has(r.entry.exchangeId) &&
                r.entry.kind === 'delivered',
            );
            expect(new Set(rows.map((r) => r.entry.exchangeId))).toEqual(exchangeIds);
            return Math.max(...rows.map((r) => r.index));
          },
          { timeout: 15_000, interval: 200 },
        );
        expect(newest).toBeGreaterThan(before.entries.length);
        await expect
          .poll(async () => Number((await pdpc.call<{ size: string }>('GetCheckpoint', {})).size), {
            timeout: 15_000,
            interval: 200,
          })
          .toBeGreaterThan(newest);

        // readAuditLog and verify end: the log holds the transactional entry, and verify names only this file's forgeries.
        const log = await within(
          15_000,
          'reading the audit log',
          readAuditLog(testKafka(KAFKA_AUDIT_READER), hub.topicPrefix),
        );
        expect(log.entries.some((e) => e.equals(Buffer.from(auditEntry)))).toBe(true);
        expect(log.checkpoints.filter((c) => c.toString() === replayedCheckpoint)).toHaveLength(2);
        const report = verifyLog(
          log.entries,
          log.checkpoints,
          await hubVerifier(hub.demo.policiesDir, hub.node.config.auditOrigin),
          hub.node.config.auditOrigin,
          nodeKeyLookup(await loadPolicy(hub.demo.policiesDir)),
        );
        expect(report.entries).toBe(log.entries.length);
        expect(report.failures.filter((f) => f.entryIndex === undefined)).toEqual([]);
        for (const f of report.failures)
          expect(forgedAudit.has(log.entries[f.entryIndex!]!.toString()), f.reason).toBe(true);
        expect(report.ok).toBe(forgedAudit.size === 0);
      },
    );
  });

  describe('dead letters of forged audit entries', () => {
    it('let an operator find the refused record: the digest of its bytes, and its topic offset', async () => {
      const forged = new RecordSigner('node-2', rogue).sign(RECORD_DOMAINS.auditEntry, {
        v: 1,
        id: randomUUID(),
        kind: 'admin',
        at: Date.now(),
        actor: 'node-2',
        detail: 'forged',
      });
      forgedAudit.add(forged);
      // A committed transaction first, so the audit topic's offsets and log indexes differ whatever ran before.
      const entry = new RecordSigner('node-2', node2).sign(RECORD_DOMAINS.auditEntry, {
        v: 1,
        id: randomUUID(),
        kind: 'admin',
        at: Date.now(),
        actor: 'node-2',
        detail: 'written in a transaction',
      });
      await transaction(hub.topicPrefix, [{ topic: t.audit(), partitions: 1, value: entry }], 'commit');
      const offset = await send(nodePrincipal('node-2'), t.audit(), forged);
      const reader = testKafka(KAFKA_AUDIT_READER);
      const log = await vi.waitFor(
        async () => {
          const copy = await readAuditLog(reader, hub.topicPrefix);
          expect(copy.entries.some((e) => e.equals(Buffer.from(forged)))).toBe(true);
          return copy;
        },
        { timeout: 10_000, interval: 200 },
      );
      const index = log.entries.findIndex((e) => e.equals(Buffer.from(forged)));
      expect(index, 'the marker should have made index and offset differ').toBeLessThan(offset);
      const letter = await deadLetter((m) =>
        header(m, DLQ_HEADERS.message).startsWith(`audit entry ${index}: `),
      );
      expect(header(letter, DLQ_HEADERS.reason)).toBe(REFUSED);
      // As every other dead letter does (lib/kafka/dead-letter.ts): the digest of the refused record, not of nothing, and where it is.
      expect({
        digest: header(letter, DLQ_HEADERS.digest),
        source: header(letter, DLQ_HEADERS.source),
      }).toEqual({ digest: sha256b64url(forged), source: `${t.audit()}/0/${offset}` });
    });
  });

  describe('a consent view that cannot learn the end offset', () => {
    it(
      "fails closed with ERR_CONSENT_VIEW_STALE while node-1 may not read the consent topic's offsets, and serves again once it may",
      { timeout: 60_000 },
      async () => {
        const consentId = await grantIncome();
        await income(consentId);
        try {
          // An operator's mistake or a broker-side fault, no network fault needed: node-1 loses every right on the consent topic.
          await revokeTopicRights(t.consentEvents(), nodePrincipal('node-1'));
          await vi.waitFor(() => expect(hub.node.consents.isCurrent()).toBe(false), {
            timeout: 10_000,
            interval: 100,
          });
          await expectFailure(income(consentId), status.UNAVAILABLE, 'ERR_CONSENT_VIEW_STALE');
          await expectFailure(
            (await hub.consentClient()).call('List', { subject: SOMSRI }),
            status.UNAVAILABLE,
            'ERR_CONSENT_VIEW_STALE',
          );
          // Nor can it write: a grant is refused, not half made.
          await expectFailure(
            (await hub.consentClient()).call('Grant', grant(SOMSRI)),
            status.UNAVAILABLE,
            'ERR_KAFKA_UNAVAILABLE',
          );
        } finally {
          await hub.provision();
        }
        await vi.waitFor(() => expect(hub.node.consents.isCurrent()).toBe(true), {
          timeout: 15_000,
          interval: 100,
        });
        expect(JSON.parse((await income(consentId)).recordJson)).toEqual({
          taxYear: 2025,
          assessableIncome: 182000,
        });
      },
    );
  });
});
