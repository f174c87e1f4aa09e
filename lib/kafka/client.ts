import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '../log.ts';
import type { KafkaConnection } from './connection.ts';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * A kafkajs client for one principal: TLS (trusting only `ca`) and SASL/SCRAM
 * when the connection has them. Its own log lines go through pino at warn and above.
 */
export function createKafka(connection: KafkaConnection, clientId: string, log: Logger): Kafka {
  const kafkaLog = log.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers: connection.brokers,
    ...kafkaSecurity(connection),
    connectionTimeout: 3000,
    // A TLS handshake plus SCRAM's two round trips take longer than a plain connect.
    authenticationTimeout: 5000,
    retry: { initialRetryTime: 100, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, timestamp: _t, logger: _l, ...rest } = entry;
        kafkaLog[LEVELS[level] ?? 'info'](rest, message);
      },
  });
}

/** The kafkajs `ssl` and `sasl` options of a connection. */
export function kafkaSecurity(connection: KafkaConnection) {
  return {
    ...(connection.ca ? { ssl: { ca: [connection.ca], rejectUnauthorized: true } } : {}),
    ...(connection.credentials ? { sasl: { mechanism: 'scram-sha-512' as const, username: connection.credentials.username, password: connection.credentials.password } } : {}),
  };
}
