import { readFileSync } from 'node:fs';
import { HubError } from '../errors/hub-error.ts';
import { isLoopbackHost } from '../net/loopback.ts';

/** SCRAM credentials of one Kafka principal, as kept in a credentials file (mode 0600). */
export interface KafkaCredentials {
  username: string;
  password: string;
}

/**
 * How one component reaches Kafka: brokers, the CA that signed the brokers'
 * certificates, and the component's own principal. Without `ca` and
 * `credentials` the connection is plaintext and unauthenticated, which
 * `resolveKafkaConnection` allows only when asked to and only on loopback.
 */
export interface KafkaConnection {
  brokers: string[];
  /** PEM of the CA to trust for the brokers' TLS certificates. */
  ca?: string;
  credentials?: KafkaCredentials;
}

export interface KafkaConnectionSettings {
  kafkaBrokers: string[];
  kafkaCaFile?: string | undefined;
  kafkaCredentialsFile?: string | undefined;
  /** Plaintext, no SASL: for a development broker on loopback only. */
  kafkaInsecure?: boolean | undefined;
}

/** Reads the CA and credentials files named in a config; fails closed with the key and the reason. */
export function resolveKafkaConnection(settings: KafkaConnectionSettings, who: string): KafkaConnection {
  const { kafkaBrokers: brokers } = settings;
  if (settings.kafkaInsecure) {
    const remote = brokers.filter((b) => !isLoopbackHost(b.slice(0, b.lastIndexOf(':'))));
    if (remote.length > 0) {
      throw new HubError('ERR_CONFIG_INVALID', `invalid ${who} config:\n  kafkaInsecure: plaintext Kafka is allowed only on loopback, not ${remote.join(', ')}`);
    }
    return { brokers };
  }
  if (!settings.kafkaCaFile || !settings.kafkaCredentialsFile) {
    throw new HubError(
      'ERR_CONFIG_INVALID',
      `invalid ${who} config:\n  kafkaCaFile (env KAFKA_CA_FILE) and kafkaCredentialsFile (env KAFKA_CREDENTIALS_FILE) are required: Kafka is reached over TLS with SASL/SCRAM (kafkaInsecure only for a loopback development broker)`,
    );
  }
  return { brokers, ca: readCa(settings.kafkaCaFile, who), credentials: readKafkaCredentials(settings.kafkaCredentialsFile, who) };
}

export function readKafkaCredentials(path: string, who = 'kafka'): KafkaCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new HubError('ERR_CONFIG_INVALID', `invalid ${who} config: cannot read Kafka credentials file ${path} (JSON {"username","password"})`, { cause });
  }
  const { username, password } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof username !== 'string' || username === '' || typeof password !== 'string' || password.length < 12) {
    throw new HubError('ERR_CONFIG_INVALID', `invalid ${who} config: Kafka credentials file ${path} needs "username" and a "password" of 12 or more characters`);
  }
  return { username, password };
}

function readCa(path: string, who: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new HubError('ERR_CONFIG_INVALID', `invalid ${who} config: cannot read Kafka CA file ${path}`, { cause });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new HubError('ERR_CONFIG_INVALID', `invalid ${who} config: Kafka CA file ${path} holds no PEM certificate`);
  return pem;
}

/** JSON Schema of the Kafka security keys every component's config shares. */
export const KAFKA_SECURITY_PROPERTIES = {
  kafkaCaFile: { type: 'string', minLength: 1, nullable: true },
  kafkaCredentialsFile: { type: 'string', minLength: 1, nullable: true },
  kafkaInsecure: { type: 'boolean', nullable: true },
} as const;

/** Their environment variables. */
export const KAFKA_SECURITY_ENV = {
  kafkaCaFile: { env: 'KAFKA_CA_FILE' },
  kafkaCredentialsFile: { env: 'KAFKA_CREDENTIALS_FILE' },
  kafkaInsecure: { env: 'KAFKA_INSECURE', parse: 'bool' },
} as const;
