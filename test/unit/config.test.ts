import { describe, expect, it } from 'vitest';
import { loadNodeConfig } from '../../broker/config.ts';
import { loadConnectorConfig } from '../../connectors/config.ts';

describe('config loading: explicit, then environment, then defaults', () => {
  const required = { policiesDir: 'p', hubKeyFile: 'k', nodeKeyFile: 'n', pseudonymKeyFile: 's', kafkaBrokers: ['127.0.0.1:9092'], kafkaSequencerCredentialsFile: 'q' };

  it('takes explicit values over environment over defaults, and freezes the result', () => {
    const config = loadNodeConfig({ ...required, nodeId: 'explicit' }, { XHUB_NODE_ID: 'from-env', XHUB_LISTEN: '0.0.0.0:7000' });
    expect(config.nodeId).toBe('explicit');
    expect(config.listen).toBe('0.0.0.0:7000');
    expect(config.topicPrefix).toBe('xhub.');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads lists and integers from the environment', () => {
    const config = loadNodeConfig({ policiesDir: 'p', hubKeyFile: 'k', nodeKeyFile: 'n', pseudonymKeyFile: 's' }, { KAFKA_BROKERS: 'a:1, b:2', XHUB_MAX_TIMEOUT_MS: '9000', KAFKA_SEQUENCER_CREDENTIALS_FILE: 'q', KAFKA_INSECURE: 'true' });
    expect(config.kafkaInsecure).toBe(true);
    expect(config.kafkaBrokers).toEqual(['a:1', 'b:2']);
    expect(config.maxTimeoutMs).toBe(9000);
  });

  it('refuses to start on an invalid value and says which key and why', () => {
    expect(() => loadNodeConfig({ ...required }, { XHUB_MAX_TIMEOUT_MS: 'soon' })).toThrow(/XHUB_MAX_TIMEOUT_MS must be an integer/);
    expect(() => loadNodeConfig({ ...required, topicPartitions: 0 })).toThrow(/topicPartitions \(env XHUB_TOPIC_PARTITIONS\): must be >= 1/);
    expect(() => loadNodeConfig({ hubKeyFile: 'k', pseudonymKeyFile: 's', kafkaBrokers: ['a:1'] }, {})).toThrow(/policiesDir.*must have required property/);
    expect(() => loadNodeConfig({ ...required, idempotencyTtlMs: 5_000, maxTimeoutMs: 30_000 })).toThrow(/idempotencyTtlMs.*longer than maxTimeoutMs/);
    expect(() => loadNodeConfig({ ...required, kafkaSequencerCredentialsFile: undefined })).toThrow(/kafkaSequencerCredentialsFile.*required where auditSequencer is on/);
    expect(() => loadNodeConfig({ ...required, nodeKeyFile: undefined })).toThrow(/nodeKeyFile.*must have required property/);
  });

  it('validates the connector backend', () => {
    const base = { agencyId: 'DOPA', privateKeyFile: 'k', policiesDir: 'p', kafkaBrokers: ['a:1'] };
    expect(loadConnectorConfig({ ...base, backend: { type: 'file', dir: 'd' } }).backend).toEqual({ type: 'file', dir: 'd' });
    expect(() => loadConnectorConfig({ ...base, backend: { type: 'http', urlTemplate: 'http://x/{recordType}', timeoutMs: 100 } })).toThrow(/backend/);
    expect(() => loadConnectorConfig(base, { XHUB_BACKEND: '{oops' })).toThrow(/XHUB_BACKEND is not valid JSON/);
  });
});

describe('Kafka connection settings', () => {
  it('refuses Kafka without TLS and SASL unless explicitly insecure, and insecure only on loopback', async () => {
    const { resolveKafkaConnection } = await import('../../lib/kafka/connection.ts');
    expect(() => resolveKafkaConnection({ kafkaBrokers: ['127.0.0.1:9092'] }, 'node')).toThrow(/kafkaCaFile.*kafkaCredentialsFile.*required/);
    expect(() => resolveKafkaConnection({ kafkaBrokers: ['10.1.2.3:9092'], kafkaInsecure: true }, 'node')).toThrow(/only on loopback, not 10\.1\.2\.3:9092/);
    expect(resolveKafkaConnection({ kafkaBrokers: ['127.0.0.1:9092', 'localhost:9093'], kafkaInsecure: true }, 'node')).toEqual({ brokers: ['127.0.0.1:9092', 'localhost:9093'] });
    expect(() => resolveKafkaConnection({ kafkaBrokers: ['k:1'], kafkaCaFile: '/nonexistent/ca.pem', kafkaCredentialsFile: '/nonexistent/c.json' }, 'node')).toThrow(/cannot read Kafka CA file \/nonexistent\/ca\.pem/);
  });
});
