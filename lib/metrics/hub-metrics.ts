import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/**
 * The metrics of one node or connector, in a registry of its own (several
 * may run in one process, as in tests). Why prom-client: it is the standard
 * Prometheus client for Node, widely used and maintained, with the runtime
 * metrics built in, and needs no exporter process or collector: the admin
 * listener serves the registry's text as it is. Label
 * values are codes, methods, group names, topic kinds and agency ids, never a
 * citizen id or a token.
 */
export function createHubMetrics() {
  const registry = new Registry();
  // Node runtime: CPU, memory, heap, event-loop lag, GC, handles (prefixed by prom-client as process_* and nodejs_*).
  collectDefaultMetrics({ register: registry });
  const queues = new Map<string, () => number>();
  return {
    registry,
    /** Records read from Kafka and refused (unsigned, badly signed, malformed), by topic kind and code. */
    rejectedRecords: new Counter({
      name: 'xhub_rejected_records_total',
      help: 'Records read from Kafka and not believed, by topic kind and reason code',
      labelNames: ['topic', 'code'] as const,
      registers: [registry],
    }),
    /** Dead letters made durable on the dead-letter topic, by reason code. */
    deadLetters: new Counter({
      name: 'xhub_dead_letters_total',
      help: 'Messages parked on the dead-letter topic by this component, by reason code',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    /** Records not yet processed by a consumer group, per partition, as of its latest fetched batch. */
    consumerLag: new Gauge({
      name: 'xhub_consumer_lag_records',
      help: "Records behind the partition's end for this component's consumer group, as of its latest fetched batch",
      labelNames: ['group', 'partition'] as const,
      registers: [registry],
    }),
    producerQueue: new Gauge({
      name: 'xhub_producer_queue_messages',
      help: 'Messages waiting in a producer queue for their turn to be sent to Kafka (the batch in flight not counted)',
      labelNames: ['producer'] as const,
      registers: [registry],
      collect() {
        for (const [producer, depth] of queues) this.set({ producer }, depth());
      },
    }),
    /** Reports `depth()` as the queue of the producer named `name` at every scrape. */
    watchProducerQueue(name: string, depth: () => number): void {
      queues.set(name, depth);
    },
  };
}

export type HubMetrics = ReturnType<typeof createHubMetrics>;
