import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConnectorConfig } from '../../connectors/config.ts';
import { groupNames } from '../../lib/kafka/provision.ts';
import { connectorPrincipal, nodePrincipal } from '../../lib/kafka/principals.ts';
import { topicNames } from '../../lib/kafka/topics.ts';
import { expectFailure } from '../helpers/grpc-error.ts';
import { healthOf } from '../helpers/grpc-health.ts';
import { HubFixture, SOMSRI } from '../helpers/hub-fixture.ts';
import { produce } from '../helpers/kafka-tap.ts';
import { revokeTopicRights } from '../helpers/revoke-rights.ts';


const PERSON = 'dopa.civil-registration.person';
/** A citizen id with a wrong check digit: refused before anything is sent, and never a label. */
const BAD_ID = '1101700203451';

/** GET on an admin listener: status and body. */
async function get(port: number | undefined, path: string): Promise<{ status: number; body: string }> {
  if (port === undefined) throw new Error('admin listener is off');
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

/** The value of one sample (`name{labels}`) in Prometheus text, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Every label value in Prometheus text. */
function labelValues(text: string): string[] {
  return [...text.matchAll(/[a-zA-Z_]+="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
}

describe('operators: metrics and health on the admin listeners of node and connector', () => {
  let hub: HubFixture;
  const scrapeNode = async () => (await get(hub.node.adminPort, '/metrics')).body;
  const scrapeDopa = async () => (await get(hub.connectors.get('DOPA')!.adminPort, '/metrics')).body;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA'] });
    const fpo = await hub.client('FPO');
    await fpo.requestRecord({
      subject: SOMSRI,
      recordType: PERSON,
      purpose: 'WELFARE_ELIGIBILITY',
      clientRequestId: randomUUID(),
    });
    await expectFailure(
      fpo.requestRecord({
        subject: BAD_ID,
        recordType: PERSON,
        purpose: 'WELFARE_ELIGIBILITY',
        clientRequestId: randomUUID(),
      }),
      status.INVALID_ARGUMENT,
      'ERR_INVALID_CITIZEN_ID',
    );
  });
  afterAll(() => hub?.stop());

  it('the node serves RPC latency, outcomes, per-agency counts, runtime and audit checkpoint metrics after an exchange', async () => {
    const text = await scrapeNode();
    const ok = 'method="Exchange/RequestRecord",status="OK"';
    expect(sample(text, `xhub_rpc_duration_seconds_count{${ok}}`)).toBe(1);
    expect(sample(text, `xhub_rpc_duration_seconds_bucket{le="+Inf",${ok}}`)).toBe(1);
    expect(
      sample(
        text,
        'xhub_rpc_duration_seconds_count{method="Exchange/RequestRecord",status="INVALID_ARGUMENT"}',
      ),
    ).toBe(1);
    expect(sample(text, 'xhub_rpc_outcomes_total{method="Exchange/RequestRecord",code="OK"}')).toBe(1);
    expect(
      sample(text, 'xhub_rpc_outcomes_total{method="Exchange/RequestRecord",code="ERR_INVALID_CITIZEN_ID"}'),
    ).toBe(1);
    expect(sample(text, 'xhub_agency_requests_total{agency="FPO",method="Exchange/RequestRecord"}')).toBe(2);
    // Node runtime metrics from prom-client's default collectors.
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    // The reply consumer's lag, the producer queues, the consent view.
    const replies = `${groupNames(hub.topicPrefix).node('node-1')}replies`;
    expect(text).toMatch(
      new RegExp(
        `^xhub_consumer_lag_records\\{group="${replies.replace(/\./g, '\\.')}",partition="\\d+"\\} 0$`,
        'm',
      ),
    );
    for (const producer of ['node', 'node-claims']) expect(sample(text, `xhub_producer_queue_messages{producer="${producer}"}`)).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'xhub_producer_queue_messages{producer="sequencer"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'xhub_consent_view_current')).toBe(1);
    expect(sample(text, 'xhub_consent_view_lag_records')).toBe(0);
    // The exchange's audit entries get signed: the unsigned tail drains and its age returns to 0.
    expect(sample(text, 'xhub_audit_unsigned_entries')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'xhub_audit_checkpoint_age_seconds')).toBeGreaterThanOrEqual(0);
    // Both read from one scrape: another entry may land between two scrapes and start a new unsigned tail.
    await expect
      .poll(
        async () => {
          const now = await scrapeNode();
          return [sample(now, 'xhub_audit_unsigned_entries'), sample(now, 'xhub_audit_checkpoint_age_seconds')];
        },
        { timeout: 10_000, interval: 200 },
      )
      .toEqual([0, 0]);
  });

  it('the connector serves its consumer lag, producer queue and dead letters by reason', async () => {
    const group = groupNames(hub.topicPrefix).connector('DOPA');
    const text = await scrapeDopa();
    expect(text).toMatch(
      new RegExp(
        `^xhub_consumer_lag_records\\{group="${group.replace(/\./g, '\\.')}",partition="\\d+"\\} 0$`,
        'm',
      ),
    );
    expect(sample(text, 'xhub_producer_queue_messages{producer="connector"}')).toBe(0);
    expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    // A request no hub signed, put on DOPA's topic by a principal that may write it: parked, and counted by reason.
    await produce(
      nodePrincipal('node-1'),
      topicNames(hub.topicPrefix).requests('DOPA'),
      'not a signed request',
    );
    await expect
      .poll(
        async () => sample(await scrapeDopa(), 'xhub_dead_letters_total{reason="ERR_ENVELOPE_MALFORMED"}'),
        { timeout: 15_000, interval: 200 },
      )
      .toBe(1);
  });

  it('/healthz is 200 and /readyz is 200 naming each passed check, on node and connector', async () => {
    for (const port of [hub.node.adminPort, hub.connectors.get('DOPA')!.adminPort]) {
      expect(await get(port, '/healthz')).toMatchObject({ status: 200 });
      const ready = await get(port, '/readyz');
      expect(ready.status).toBe(200);
      expect(JSON.parse(ready.body)).toMatchObject({ ready: true, checks: { kafka: 'ok', policy: 'ok' } });
    }
    expect(JSON.parse((await get(hub.node.adminPort, '/readyz')).body).checks).toEqual({
      kafka: 'ok',
      replies: 'ok',
      claims: 'ok',
      'consent-view': 'ok',
      policy: 'ok',
    });
    expect(JSON.parse((await get(hub.connectors.get('DOPA')!.adminPort, '/readyz')).body).checks).toEqual({
      kafka: 'ok',
      consumer: 'ok',
      policy: 'ok',
    });
    expect((await get(hub.node.adminPort, '/nothing')).status).toBe(404);
  });

  it(
    '/readyz is 503 naming the consent-view check while the view is stale, and 200 again once it catches up',
    { timeout: 60_000 },
    async () => {
      try {
        // node-1 loses every right on the consent topic: its view can no longer learn the end offsets.
        await revokeTopicRights(topicNames(hub.topicPrefix).consentEvents(), nodePrincipal('node-1'));
        await expect
          .poll(async () => (await get(hub.node.adminPort, '/readyz')).status, {
            timeout: 10_000,
            interval: 100,
          })
          .toBe(503);
        const body = JSON.parse((await get(hub.node.adminPort, '/readyz')).body) as {
          ready: boolean;
          failed: string[];
          checks: Record<string, string>;
        };
        expect(body).toMatchObject({
          ready: false,
          failed: ['consent-view'],
          checks: { kafka: 'ok', policy: 'ok' },
        });
        expect(body.checks['consent-view']).toMatch(/^stale: /);
        expect(sample(await scrapeNode(), 'xhub_consent_view_current')).toBe(0);
        // Alive all the while: liveness is not readiness.
        expect((await get(hub.node.adminPort, '/healthz')).status).toBe(200);
      } finally {
        await hub.provision();
      }
      await vi.waitFor(async () => expect((await get(hub.node.adminPort, '/readyz')).status).toBe(200), {
        timeout: 15_000,
        interval: 100,
      });
      expect(sample(await scrapeNode(), 'xhub_consent_view_current')).toBe(1);
    },
  );

  it(
    "a node whose reply consumer stops for good: /readyz names it, gRPC health says NOT_SERVING, exchanges are refused before the provider is asked, and a new consumer takes over once it may read again",
    { timeout: 90_000 },
    async () => {
      const fpo = await hub.client('FPO');
      const person = () => ({ subject: SOMSRI, recordType: PERSON, purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() });
      const asked = () => hub.backends.get('DOPA')!.total;
      try {
        // node-1 may no longer read its reply topic: kafkajs stops that consumer for good (not a passing error).
        await revokeTopicRights(topicNames(hub.topicPrefix).replies('node-1'), nodePrincipal('node-1'));
        await vi.waitFor(
          async () => {
            const body = JSON.parse((await get(hub.node.adminPort, '/readyz')).body) as { failed?: string[]; checks: Record<string, string> };
            expect(body.failed).toEqual(['replies']);
            expect(body.checks.replies).toMatch(/^the reply topic consumer is not reading: /);
          },
          { timeout: 30_000, interval: 200 },
        );
        await vi.waitFor(async () => expect(await healthOf(hub, hub.node.port)).toBe('NOT_SERVING'), { timeout: 5_000, interval: 200 });
        const before = asked();
        const details = await expectFailure(fpo.requestRecord(person()), status.UNAVAILABLE, 'ERR_KAFKA_UNAVAILABLE');
        expect(details).toMatch(/cannot receive providers' answers right now \(the reply topic consumer is not reading: .*\); nothing was sent/);
        // Refused before anything was claimed or sent: the provider's backend was not asked.
        expect(asked()).toBe(before);
      } finally {
        await hub.provision();
      }
      await vi.waitFor(async () => expect((await get(hub.node.adminPort, '/readyz')).status).toBe(200), { timeout: 30_000, interval: 200 });
      await vi.waitFor(async () => expect(await healthOf(hub, hub.node.port)).toBe('SERVING'), { timeout: 5_000, interval: 200 });
      const served = await fpo.requestRecord(person());
      expect(served.providerId).toBe('DOPA');
    },
  );

  it(
    "a connector whose consumer stops for good: its /readyz names the consumer and why, and a new consumer takes over once it may read again",
    { timeout: 90_000 },
    async () => {
      const dopaAdmin = () => hub.connectors.get('DOPA')!.adminPort;
      try {
        await revokeTopicRights(topicNames(hub.topicPrefix).requests('DOPA'), connectorPrincipal('DOPA'));
        await vi.waitFor(
          async () => {
            const body = JSON.parse((await get(dopaAdmin(), '/readyz')).body) as { failed?: string[]; checks: Record<string, string> };
            expect(body.failed).toEqual(['consumer']);
            expect(body.checks.consumer).toMatch(/^the requests\.DOPA consumer is not reading: /);
          },
          { timeout: 30_000, interval: 200 },
        );
      } finally {
        await hub.provision();
      }
      await vi.waitFor(async () => expect((await get(dopaAdmin(), '/readyz')).status).toBe(200), { timeout: 30_000, interval: 200 });
      const fpo = await hub.client('FPO');
      const served = await fpo.requestRecord({ subject: SOMSRI, recordType: PERSON, purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() });
      expect(served.providerId).toBe('DOPA');
    },
  );

  it('no label value carries a citizen id or a token', async () => {
    for (const text of [await scrapeNode(), await scrapeDopa()]) {
      expect(text).not.toContain(SOMSRI);
      expect(text).not.toContain(BAD_ID);
      // No value that looks like a citizen id (13 digits) or a JWT (base64url JSON header).
      for (const value of labelValues(text)) {
        expect(value).not.toMatch(/\d{13}/);
        expect(value).not.toMatch(/eyJ[\w-]*\./);
      }
    }
  });
});

describe('adminListen config', () => {
  const base = {
    agencyId: 'DOPA',
    privateKeyFile: 'k',
    policiesDir: 'p',
    kafkaBrokers: ['a:1'],
    backend: { type: 'file' as const, dir: 'd' },
  };

  it('defaults to loopback, may be turned off, and refuses a network address unless adminAllowRemote', () => {
    expect(loadConnectorConfig(base, {}).adminListen).toBe('127.0.0.1:9465');
    expect(loadConnectorConfig(base, { XHUB_ADMIN_LISTEN: 'off' }).adminListen).toBe('off');
    expect(loadConnectorConfig({ ...base, adminListen: '[::1]:0' }, {}).adminListen).toBe('[::1]:0');
    expect(() => loadConnectorConfig(base, { XHUB_ADMIN_LISTEN: '0.0.0.0:9465' })).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG_INVALID',
        message: expect.stringMatching(/adminListen.*not a loopback address/),
      }),
    );
    expect(
      loadConnectorConfig(base, { XHUB_ADMIN_LISTEN: '0.0.0.0:9465', XHUB_ADMIN_ALLOW_REMOTE: 'true' })
        .adminListen,
    ).toBe('0.0.0.0:9465');
    expect(() => loadConnectorConfig({ ...base, adminListen: 'nonsense' }, {})).toThrow(
      /adminListen \(env XHUB_ADMIN_LISTEN\)/,
    );
  });
});
