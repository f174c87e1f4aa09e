/**
 * The connector against real agency backends on this machine: DOPA's SOAP
 * linkage service, RD's PostgreSQL reporting view and FPO's OAuth2-protected
 * REST API (the test servers, on loopback), with their mappings.
 *   1. Per backend, `--count` sequential fetches through the connector's own
 *      backend path (resilience, mapping), without Kafka: latency per fetch.
 *   2. Records/s under load: `--concurrency` callers for `--seconds` through
 *      node → Kafka → connector → backend → Kafka → node, every call a signed,
 *      policy-checked, audited exchange, per backend.
 * The SOAP and REST servers run in this process, so their cost is counted in
 * the figures (a real agency system runs elsewhere).
 * Usage: node bench/connector-backends.ts [--count 1000] [--seconds 10] [--concurrency 64]
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_DATA } from '../cli/demo-setup.ts';
import { openBackend } from '../connectors/backends/open-backend.ts';
import { loadSigningKeyFile } from '../lib/crypto/keys.ts';
import { ExchangeClient } from '../lib/exchange-client.ts';
import { loadPolicy } from '../policies/policy-loader.ts';
import {
  INCOME,
  PERSON,
  startAgencyBackends,
  WELFARE,
  type BackendSettings,
} from '../test/helpers/agency-backends.ts';
import { SOMCHAI, SOMSRI } from '../test/helpers/hub-fixture.ts';
import { machine, percentiles, startBenchHub, writeResult } from './bench-hub.ts';
import { runLoad } from './load/run-load.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '64' },
  },
});
const count = Number(values.count);
const durationMs = Number(values.seconds) * 1000;
const concurrency = Number(values.concurrency);

/** Which agency, record type, consumer and purpose exercise each backend. */
const CASES = [
  // The baseline: the same exchange with records in memory, so what the real backends add shows.
  { backend: 'memory', agency: 'DOPA', recordType: PERSON, consumer: 'FPO', purpose: 'WELFARE_ELIGIBILITY' },
  { backend: 'soap', agency: 'DOPA', recordType: PERSON, consumer: 'FPO', purpose: 'WELFARE_ELIGIBILITY' },
  { backend: 'postgres', agency: 'RD', recordType: INCOME, consumer: 'FPO', purpose: 'WELFARE_ELIGIBILITY' },
  {
    backend: 'rest-oauth2',
    agency: 'FPO',
    recordType: WELFARE,
    consumer: 'BMA',
    purpose: 'LOCAL_SERVICE_REGISTRATION',
  },
] as const;

const backends = await startAgencyBackends();
const settingsOf = (c: (typeof CASES)[number]): BackendSettings =>
  c.backend === 'memory'
    ? { backend: { type: 'memory', dir: join(DEMO_DATA, c.agency) } }
    : backends[c.agency];
const hub = await startBenchHub();
try {
  const policy = await loadPolicy(hub.demo.policiesDir);
  const sequential: Record<string, ReturnType<typeof percentiles> & { fetchesPerSecond: number }> = {};
  for (const c of CASES) {
    const backend = await openBackend({ agencyId: c.agency, ...settingsOf(c) }, policy);
    try {
      for (let i = 0; i < 50; i++) await backend.fetch(c.recordType, i % 2 ? SOMSRI : SOMCHAI, 5_000);
      const latencies: number[] = [];
      const started = performance.now();
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        const record = await backend.fetch(c.recordType, i % 2 ? SOMSRI : SOMCHAI, 5_000);
        latencies.push(performance.now() - t0);
        if (!record) throw new Error(`${c.backend}: no record`);
      }
      sequential[c.backend] = {
        ...percentiles(latencies),
        fetchesPerSecond: Math.round(count / ((performance.now() - started) / 1000)),
      };
      process.stderr.write(
        `${c.backend}: ${count} sequential fetches, p50 ${sequential[c.backend]!.p50} ms\n`,
      );
    } finally {
      await backend.close();
    }
  }

  const node = await hub.node('node-1');
  const underLoad: Record<
    string,
    {
      exchangesPerSecond: number;
      errors: number;
      errorCodes: Record<string, number>;
      latencyMs: ReturnType<typeof percentiles>;
    }
  > = {};
  for (const c of CASES) {
    const connector = await hub.connector(c.agency, settingsOf(c));
    const client = new ExchangeClient(
      `127.0.0.1:${node.port}`,
      c.consumer,
      await loadSigningKeyFile(hub.demo.agencyKeyFile(c.consumer)),
      'node-1',
      await hub.transport(c.consumer),
    );
    const call = (i: number) =>
      client.requestRecord({
        subject: i % 2 ? SOMSRI : SOMCHAI,
        recordType: c.recordType,
        purpose: c.purpose,
        clientRequestId: randomUUID(),
      });
    for (let i = 0; i < 100; i++) await call(i);
    const result = await runLoad(call, concurrency, durationMs);
    underLoad[c.backend] = {
      exchangesPerSecond: Math.round(result.completed / result.seconds),
      errors: result.errors,
      errorCodes: result.errorCodes,
      latencyMs: percentiles(result.latenciesMs),
    };
    process.stderr.write(
      `${c.backend}: ${underLoad[c.backend]!.exchangesPerSecond} exchanges/s at C=${concurrency}\n`,
    );
    client.close();
    await connector.stop();
  }

  await writeResult('connector-backends', {
    benchmark: 'connector-backends',
    date: new Date().toISOString(),
    machine: machine(),
    kafka: hub.kafka.source,
    sequentialFetches: {
      count,
      note: 'through openBackend (resilience + mapping), no Kafka; servers on loopback, SOAP and REST in this process',
      ...sequential,
    },
    underLoad: {
      concurrency,
      seconds: durationMs / 1000,
      note: 'node → Kafka → connector → backend → Kafka → node, one node, one connector',
      ...underLoad,
    },
  });
} finally {
  await hub.close();
  await backends.stop();
}
