import { Counter, Registry } from 'prom-client';

/**
 * The metrics of one node or connector, in a registry of its own (several
 * may run in one process, as in tests). prom-client: the Prometheus client
 * most Node services use, with no exporter process of its own. Label values
 * are codes and topic kinds, never a citizen id or a token.
 */
export function createHubMetrics() {
  const registry = new Registry();
  return {
    registry,
    /** Records read from Kafka and refused (unsigned, badly signed, malformed), by topic kind and code. */
    rejectedRecords: new Counter({
      name: 'xhub_rejected_records_total',
      help: 'Records read from Kafka and not believed, by topic kind and reason code',
      labelNames: ['topic', 'code'] as const,
      registers: [registry],
    }),
  };
}

export type HubMetrics = ReturnType<typeof createHubMetrics>;
