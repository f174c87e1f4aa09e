/**
 * Consent figures:
 * - revocation propagation: Revoke on node A, time until node B's view has it
 *   (two nodes sharing one Kafka, in one process), over --count revocations;
 * - decision latency: the policy decision with a consent check, in process;
 *   and a denied RequestRecord end to end (authentication, validation, decision);
 * - a permitted consent-based RequestRecord end to end, over --exchanges calls
 *   one at a time: it spends a use of the consent, written to the consent topic
 *   and read back before anything is sent to the provider.
 * Usage: node bench/consent.ts [--count 200] [--exchanges 500]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ConsentClient } from '../lib/consent-client.ts';
import { loadSigningKeyFile } from '../lib/crypto/keys.ts';
import { ExchangeClient } from '../lib/exchange-client.ts';
import { decide } from '../policies/decide.ts';
import { machine, percentiles, startBenchHub, writeResult } from './bench-hub.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '200' }, exchanges: { type: 'string', default: '500' } } });
const count = Number(values.count);
const exchangeCount = Number(values.exchanges);
const SUBJECT = '1101700203450';

const hub = await startBenchHub();
const [a, b] = [await hub.node('node-1'), await hub.node('node-2')];
const dga = new ConsentClient(`127.0.0.1:${a.port}`, 'DGA', await loadSigningKeyFile(hub.demo.agencyKeyFile('DGA')), 'node-1', await hub.transport('DGA'));
const grantRequest = () => ({
  subject: SUBJECT, consumer: 'MOPH', items: [{ recordType: 'rd.income-tax.annual-summary' }], purposes: ['PUBLIC_HEALTH_SERVICE'],
  validFrom: new Date().toISOString(), validTo: new Date(Date.now() + 86_400_000).toISOString(), dataLifeDays: 30, maxUses: 0,
  collection: { method: 'mobile-app', collectedAt: new Date().toISOString(), reference: '' }, noticeVersion: 'v1',
});
const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setImmediate(r));
};

const propagation: number[] = [];
const acceptedAt: number[] = [];
for (let i = 0; i < count; i++) {
  const { consent } = await dga.call<{ consent: { consentId: string } }>('Grant', grantRequest());
  await until(() => b.consents.view.get(consent.consentId) !== undefined);
  const t0 = performance.now();
  await dga.call('Revoke', { consentId: consent.consentId, subject: SUBJECT, reason: '' });
  acceptedAt.push(performance.now() - t0);
  await until(() => b.consents.view.get(consent.consentId)?.revokedAt !== undefined);
  propagation.push(performance.now() - t0);
  if ((i + 1) % 20 === 0) process.stderr.write(`\r${i + 1}/${count} revocations`);
}
process.stderr.write('\n');

// Decision latency, in process: a consent-based permit (the longest path).
const { consent } = await dga.call<{ consent: { consentId: string } }>('Grant', grantRequest());
await until(() => a.consents.view.get(consent.consentId) !== undefined);
const subjectRef = a.consents.view.get(consent.consentId)!.subjectRef;
const input = { consumer: 'MOPH', recordType: 'rd.income-tax.annual-summary', purpose: 'PUBLIC_HEALTH_SERVICE', fields: [], now: Date.now(), subjectRef, consentId: consent.consentId };
const decisions = 200_000;
for (let i = 0; i < 20_000; i++) decide(a.policy(), input, a.consents.view);
const d0 = performance.now();
for (let i = 0; i < decisions; i++) decide(a.policy(), input, a.consents.view);
const decideUs = ((performance.now() - d0) / decisions) * 1000;

// A denied call end to end: JWT verification, validation and decision, no Kafka.
const bma = new ExchangeClient(`127.0.0.1:${a.port}`, 'BMA', await loadSigningKeyFile(hub.demo.agencyKeyFile('BMA')), 'node-1', await hub.transport('BMA'));
const denied: number[] = [];
for (let i = 0; i < 1_100; i++) {
  const t0 = performance.now();
  await bma.requestRecord({ subject: SUBJECT, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() }).catch(() => {});
  if (i >= 100) denied.push(performance.now() - t0);
}

// A permitted consent-based call end to end: node → Kafka → RD's connector → Kafka → node, one use spent each time.
await hub.connector('RD');
const moph = new ExchangeClient(`127.0.0.1:${a.port}`, 'MOPH', await loadSigningKeyFile(hub.demo.agencyKeyFile('MOPH')), 'node-1', await hub.transport('MOPH'));
const unlimited = (await dga.call<{ consent: { consentId: string } }>('Grant', grantRequest())).consent.consentId;
const permitted: number[] = [];
for (let i = 0; i < exchangeCount + 50; i++) {
  const t0 = performance.now();
  await moph.requestRecord({ subject: SUBJECT, recordType: 'rd.income-tax.annual-summary', purpose: 'PUBLIC_HEALTH_SERVICE', consentId: unlimited, clientRequestId: randomUUID() });
  if (i >= 50) permitted.push(performance.now() - t0);
}

await writeResult('consent', {
  benchmark: 'consent',
  date: new Date().toISOString(),
  machine: machine(),
  kafka: hub.kafka.source,
  revocations: count,
  revokeAcceptedMs: percentiles(acceptedAt),
  propagationToOtherNodeMs: percentiles(propagation),
  decideMicroseconds: Math.round(decideUs * 100) / 100,
  deniedCallMs: percentiles(denied),
  consentExchanges: exchangeCount,
  consentExchangeMs: percentiles(permitted),
});
dga.close();
bma.close();
moph.close();
await hub.close();
