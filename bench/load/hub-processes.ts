import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectorKafkaSettings, nodeKafkaSettings } from '../../cli/demo-hub.ts';
import type { materialiseDemo } from '../../cli/demo-setup.ts';
import { demoNodeTls } from '../../cli/demo-tls.ts';
import type { acquireKafka } from '../../lib/kafka/broker-source.ts';
import { startChild } from './processes.ts';

type KafkaHandle = Awaited<ReturnType<typeof acquireKafka>>;
type Demo = Awaited<ReturnType<typeof materialiseDemo>>;

/**
 * Starts hub processes for a bench, each `xhub node` or `xhub connector` in
 * its own process with a config file in `state`, on the demo's keys and TLS
 * and the provisioned topics under `prefix`: what the benches measure is the
 * product as it is deployed.
 */
export function hubProcesses(kafka: KafkaHandle, demo: Demo, prefix: string, state: string) {
  const common = { policiesDir: demo.policiesDir, topicPrefix: prefix };
  const config = async (name: string, body: object) => {
    const file = join(state, `${name}.json`);
    await writeFile(file, JSON.stringify(body));
    return file;
  };
  return {
    /** A node; `extra` overrides its config (e.g. auditQueries: false). Resolves with the process and its gRPC port. */
    async node(nodeId: string, extra: object = {}) {
      const body = { ...common, ...nodeKafkaSettings(kafka, nodeId), nodeId, listen: '127.0.0.1:0', hubKeyFile: demo.hubKeyFile, nodeKeyFile: demo.nodeKeyFile(nodeId), pseudonymKeyFile: demo.pseudonymKeyFile, tls: demoNodeTls(demo.tls), adminListen: '127.0.0.1:0', ...extra };
      const child = await startChild(['cli/xhub.ts', 'node', '--config', await config(nodeId, body)], 'exchange node serving', { XHUB_LOG_LEVEL: 'info' });
      // The gRPC port from the 'serving' line: the admin listener's line names a port too.
      return { child, port: Number(/"port":(\d+)[^\n]*exchange node serving/.exec(child.output())?.[1]) };
    },
    /** An agency's connector over a memory backend loaded from `dir`. */
    async connector(agency: string, dir: string, timeoutMs?: number) {
      const body = { ...common, ...connectorKafkaSettings(kafka, agency), agencyId: agency, privateKeyFile: demo.agencyKeyFile(agency), backend: { type: 'memory', dir }, adminListen: '127.0.0.1:0' };
      return startChild(['cli/xhub.ts', 'connector', '--config', await config(agency, body)], 'connector consuming', { XHUB_LOG_LEVEL: 'info' }, timeoutMs);
    },
  };
}
