import type { KafkaConnection } from '../../lib/kafka/connection.ts';

/**
 * The @platformatic/kafka client options of a connection: TLS trusting only the
 * connection's CA (host name checked by node:tls) and SASL/SCRAM-SHA-512 as its
 * principal, when the connection has them.
 */
export function platformaticOptions(connection: KafkaConnection, clientId: string) {
  return {
    clientId,
    bootstrapBrokers: connection.brokers,
    connectTimeout: 3_000,
    ...(connection.ca ? { tls: { ca: [connection.ca], rejectUnauthorized: true } } : {}),
    ...(connection.credentials
      ? { sasl: { mechanism: 'SCRAM-SHA-512' as const, username: connection.credentials.username, password: connection.credentials.password } }
      : {}),
  };
}
