import type { Admin, Consumer } from 'kafkajs';
import type { HubMetrics } from './hub-metrics.ts';

/**
 * Keeps `xhub_consumer_lag_records` for `group` from kafkajs's batch events:
 * at a batch's start, what is unread from its first record on; at its end,
 * what is left after its last. Empty fetches emit no event, so the gauge holds
 * the lag of the latest batch (0 once caught up).
 */
export function watchConsumerLag(consumer: Consumer, metrics: HubMetrics, group: string): void {
  consumer.on(consumer.events.START_BATCH_PROCESS, ({ payload }) => {
    const first = payload.firstOffset as string | null;
    if (first !== null)
      metrics.consumerLag.set(
        { group, partition: String(payload.partition) },
        Math.max(0, Number(payload.highWatermark) - Number(first)),
      );
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    metrics.consumerLag.set(
      { group, partition: String(payload.partition) },
      Math.max(0, Number(payload.offsetLag)),
    );
  });
}

/**
 * A readiness check that Kafka answers: a metadata request on a connected
 * admin client. One request at a time: probes arriving meanwhile share it, so
 * a broker that hangs does not collect a pile of retries.
 */
export function kafkaReachable(admin: Admin): () => Promise<string | undefined> {
  let inFlight: Promise<string | undefined> | undefined;
  return () =>
    (inFlight ??= admin
      .describeCluster()
      .then(
        ({ brokers }) => (brokers.length > 0 ? undefined : 'no broker in the cluster metadata'),
        (error: unknown) => `Kafka unreachable: ${(error as Error).message}`,
      )
      .finally(() => (inFlight = undefined)));
}
