import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../cli/demo-setup.ts';
import { ExchangeClient } from '../../lib/exchange-client.ts';
import { demoNodeTls } from '../../cli/demo-tls.ts';
import { freePort } from '../../lib/kafka/local-broker.ts';
import { KAFKA_SEQUENCER, nodePrincipal } from '../../lib/kafka/principals.ts';
import { kafkaSettings } from '../helpers/test-kafka.ts';
import { HubFixture, SOMCHAI, SOMSRI } from '../helpers/hub-fixture.ts';
import { KafkaTap } from '../helpers/kafka-tap.ts';

const run = promisify(execFile);

describe('DPO commands', () => {
  let hub: HubFixture;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA'] });
    const fpo = await hub.client('FPO');
    await fpo.requestRecord({ subject: SOMSRI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() });
    await (await hub.client('BMA')).requestRecord({ subject: SOMSRI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() }).catch(() => {});
    await fpo.requestRecord({ subject: SOMCHAI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() });
  });
  afterAll(() => hub?.stop());

  const xhub = async (args: string[]) => {
    const tls = hub.demo.tls;
    const auditor = ['--key', hub.demo.agencyKeyFile('PDPC'), '--node', hub.address, '--audience', 'node-1', '--ca', tls.caFile, '--cert', tls.clientCertFile('PDPC'), '--tls-key', tls.clientKeyFile('PDPC')];
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { stdout } = await run(process.execPath, ['cli/xhub.ts', 'audit', ...args, ...auditor], { cwd: REPO_ROOT });
      // The node's query index follows the topic within moments.
      if (stdout.includes('delivered') || Date.now() > deadline) return stdout;
      await new Promise((r) => setTimeout(r, 300));
    }
  };

  it('report --subject lists every agency that asked for the person’s data, why, on what basis, and what happened', async () => {
    const out = await xhub(['report', '--subject', SOMSRI]);
    expect(out).toContain('2 requests for this person');
    expect(out).toMatch(/FPO asked DOPA for dopa\.civil-registration\.person, purpose WELFARE_ELIGIBILITY, basis public-task: delivered \[titleTh, firstNameTh, lastNameTh, dateOfBirth, lifeStatus\]/);
    expect(out).toMatch(/BMA asked - for dopa\.civil-registration\.person, purpose WELFARE_ELIGIBILITY, basis -: refused \(ERR_NO_AGREEMENT\)/);
    expect(out).not.toContain(SOMSRI);
  });

  it('query writes CSV with a header, one row per entry', async () => {
    const out = await xhub(['query', '--agency', 'FPO', '--kind', 'delivered', '--format', 'csv']);
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('index,time,kind,exchangeId,consumer,provider,recordType,purpose,lawfulBasis,decision,reason,fields');
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).every((l) => l.includes(',delivered,') && l.includes(',FPO,DOPA,'))).toBe(true);
  });
});

describe('a node killed right after a transfer', () => {
  let hub: HubFixture;
  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA'] });
  });
  afterAll(() => hub?.stop());

  it('has already made the delivery entry durable', async () => {
    const port = await freePort();
    const config = join(hub.stateDir, 'node-2.json');
    await writeFile(
      config,
      JSON.stringify({
        nodeId: 'node-2',
        listen: `127.0.0.1:${port}`,
        policiesDir: hub.demo.policiesDir,
        hubKeyFile: hub.demo.hubKeyFile,
        nodeKeyFile: hub.demo.nodeKeyFile('node-2'),
        pseudonymKeyFile: hub.demo.pseudonymKeyFile,
        ...kafkaSettings(nodePrincipal('node-2')),
        kafkaSequencerCredentialsFile: kafkaSettings(KAFKA_SEQUENCER).kafkaCredentialsFile,
        topicPrefix: hub.topicPrefix,
        tls: demoNodeTls(hub.demo.tls),
      }),
    );
    const node = spawn(process.execPath, ['cli/xhub.ts', 'node', '--config', config], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XHUB_LOG_LEVEL: 'info' }, detached: true });
    let out = '';
    node.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!out.includes('exchange node serving') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const client = new ExchangeClient(`127.0.0.1:${port}`, 'FPO', await hub.key('FPO'), 'node-2', await hub.transport('FPO'));
    const response = await client.requestRecord({ subject: SOMSRI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() });
    // kill -9 the node the moment the record is in hand: the npx wrapper and the node under it.
    process.kill(-node.pid!, 'SIGKILL');
    client.close();
    const audit = await KafkaTap.open('admin', `${hub.topicPrefix}audit`);
    const delivered = await audit.waitFor((m) => m.value!.toString().includes('"kind":"delivered"') && m.value!.toString().includes(response.exchangeId), 10_000);
    await audit.close();
    expect(JSON.parse(delivered.value!.toString())).toMatchObject({ exchangeId: response.exchangeId, nodeId: 'node-2', provider: 'DOPA' });
  });
});
