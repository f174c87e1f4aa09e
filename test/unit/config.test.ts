import { describe, expect, it } from 'vitest';
import { loadNodeConfig } from '../../broker/config.ts';
import { loadConnectorConfig } from '../../connectors/config.ts';

describe('config loading: explicit, then environment, then defaults', () => {
  const tls = { certFile: 'node.pem', keyFile: 'node.key' };
  const required = { policiesDir: 'p', hubKeyFile: 'k', nodeKeyFile: 'n', pseudonymKeyFile: 's', kafkaBrokers: ['127.0.0.1:9092'], kafkaSequencerCredentialsFile: 'q', tls };

  it('takes explicit values over environment over defaults, and freezes the result', () => {
    const config = loadNodeConfig({ ...required, nodeId: 'explicit' }, { XHUB_NODE_ID: 'from-env', XHUB_LISTEN: '0.0.0.0:7000' });
    expect(config.nodeId).toBe('explicit');
    expect(config.listen).toBe('0.0.0.0:7000');
    expect(config.topicPrefix).toBe('xhub.');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads lists and integers from the environment', () => {
    const config = loadNodeConfig({ policiesDir: 'p', hubKeyFile: 'k', nodeKeyFile: 'n', pseudonymKeyFile: 's', tls }, { KAFKA_BROKERS: 'a:1, b:2', XHUB_MAX_TIMEOUT_MS: '9000', KAFKA_SEQUENCER_CREDENTIALS_FILE: 'q', KAFKA_INSECURE: 'true' });
    expect(config.kafkaInsecure).toBe(true);
    expect(config.kafkaBrokers).toEqual(['a:1', 'b:2']);
    expect(config.maxTimeoutMs).toBe(9000);
    expect(config.maxConsentValidityDays).toBe(3653);
    expect(loadNodeConfig({ ...required }, { XHUB_MAX_CONSENT_VALIDITY_DAYS: '365' }).maxConsentValidityDays).toBe(365);
    expect(() => loadNodeConfig({ ...required }, { XHUB_MAX_CONSENT_VALIDITY_DAYS: '0' })).toThrow(/maxConsentValidityDays \(env XHUB_MAX_CONSENT_VALIDITY_DAYS\): must be >= 1/);
  });

  it('refuses to start on an invalid value and says which key and why', () => {
    expect(() => loadNodeConfig({ ...required }, { XHUB_MAX_TIMEOUT_MS: 'soon' })).toThrow(/XHUB_MAX_TIMEOUT_MS must be an integer/);
    expect(() => loadNodeConfig({ ...required, topicPartitions: 0 })).toThrow(/topicPartitions \(env XHUB_TOPIC_PARTITIONS\): must be >= 1/);
    expect(() => loadNodeConfig({ hubKeyFile: 'k', pseudonymKeyFile: 's', kafkaBrokers: ['a:1'], tls }, {})).toThrow(/policiesDir.*must have required property/);
    expect(() => loadNodeConfig({ ...required, idempotencyTtlMs: 5_000, maxTimeoutMs: 30_000 })).toThrow(/idempotencyTtlMs.*longer than maxTimeoutMs/);
    expect(() => loadNodeConfig({ ...required, kafkaSequencerCredentialsFile: undefined })).toThrow(/kafkaSequencerCredentialsFile.*required where auditSequencer is on/);
    expect(() => loadNodeConfig({ ...required, nodeKeyFile: undefined })).toThrow(/nodeKeyFile.*must have required property/);
  });

  describe('gRPC transport: TLS by default, plaintext only on loopback', () => {
    const { tls: _tls, ...noTls } = required;

    it('refuses to start without TLS, and says so', () => {
      expect(() => loadNodeConfig(noTls, {})).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID', message: expect.stringMatching(/TLS is required/) }));
    });

    it('allows insecure on loopback addresses only', () => {
      for (const listen of ['127.0.0.1:50051', '127.5.0.9:0', '[::1]:50051', 'localhost:50051']) {
        expect(loadNodeConfig({ ...noTls, listen, insecure: true }, {}).insecure).toBe(true);
      }
      for (const listen of ['0.0.0.0:50051', '[::]:50051', '10.0.0.5:50051', 'node.example.go.th:50051']) {
        expect(() => loadNodeConfig({ ...noTls, listen, insecure: true }, {})).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID', message: expect.stringMatching(/only on a loopback address.*not on/) }));
      }
    });

    it('reads TLS files and insecure from the environment', () => {
      const config = loadNodeConfig(noTls, { XHUB_TLS_CERT_FILE: 'c.pem', XHUB_TLS_KEY_FILE: 'k.pem', XHUB_TLS_CLIENT_CA_FILE: 'ca.pem' });
      expect(config.tls).toEqual({ certFile: 'c.pem', keyFile: 'k.pem', clientCaFile: 'ca.pem' });
      expect(loadNodeConfig(noTls, { XHUB_INSECURE: 'true' }).insecure).toBe(true);
      expect(() => loadNodeConfig(noTls, { XHUB_INSECURE: 'yes' })).toThrow(/XHUB_INSECURE must be true or false/);
      expect(() => loadNodeConfig(noTls, { XHUB_TLS_CERT_FILE: 'c.pem' })).toThrow(/tls\/keyFile/);
    });

    it('refuses contradictory TLS settings', () => {
      expect(() => loadNodeConfig({ ...required, insecure: true }, {})).toThrow(/either tls or insecure/);
      expect(() => loadNodeConfig({ ...required, tls: { ...tls, requireClientCert: true } }, {})).toThrow(/needs the CA/);
      expect(() => loadNodeConfig({ ...required, tls: { ...tls, clientCaFile: 'ca.pem', requireClientCert: false } }, {})).toThrow(/not supported/);
      expect(() => loadNodeConfig({ ...required, tls: { certFile: 'c.pem' } as never }, {})).toThrow(/tls.*keyFile/);
    });
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
