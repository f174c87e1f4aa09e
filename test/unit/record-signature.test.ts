import { describe, expect, it } from 'vitest';
import { generateAgencyKeyPair, importSigningKey } from '../../lib/crypto/keys.ts';
import { KeyRing } from '../../lib/crypto/key-ring.ts';
import { RECORD_DOMAINS, RecordSigner, verifyRecord } from '../../lib/crypto/record-signature.ts';

async function setup() {
  const pair = await generateAgencyKeyPair('n1-key');
  const other = await generateAgencyKeyPair('n1-key');
  const ring = await KeyRing.fromJwks([['node:n1', { keys: [pair.publicJwk] }]]);
  const signer = new RecordSigner('n1', await importSigningKey(pair.privateJwk, 'test'));
  const forger = new RecordSigner('n1', await importSigningKey(other.privateJwk, 'test'));
  const keys = (nodeId: string, kid: string) => ring.findKeyObject(`node:${nodeId}`, kid);
  return { signer, forger, keys };
}

describe('signed Kafka records', () => {
  it('verifies a record its node signed, and gives back its fields', async () => {
    const { signer, keys } = await setup();
    const raw = signer.sign(RECORD_DOMAINS.auditEntry, { id: 'e1', kind: 'decision' });
    const result = verifyRecord(RECORD_DOMAINS.auditEntry, raw, keys);
    expect(result).toMatchObject({ ok: true, value: { id: 'e1', kind: 'decision', nodeId: 'n1', kid: 'n1-key' } });
  });

  it('refuses an unsigned record, a changed one, a key not registered and another domain', async () => {
    const { signer, forger, keys } = await setup();
    const raw = signer.sign(RECORD_DOMAINS.auditEntry, { id: 'e1', kind: 'decision' });
    expect(verifyRecord(RECORD_DOMAINS.auditEntry, '{"id":"e1","kind":"decision"}', keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/unsigned/) });
    expect(verifyRecord(RECORD_DOMAINS.auditEntry, raw.replace('decision', 'delivered'), keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not verify/) });
    expect(verifyRecord(RECORD_DOMAINS.auditEntry, forger.sign(RECORD_DOMAINS.auditEntry, { id: 'e1' }), keys)).toMatchObject({ ok: false });
    expect(verifyRecord(RECORD_DOMAINS.auditEntry, raw.replace('"nodeId":"n1"', '"nodeId":"n2"'), keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/unknown node/) });
    expect(verifyRecord(RECORD_DOMAINS.consentEvent, raw, keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not verify/) });
    expect(verifyRecord(RECORD_DOMAINS.auditEntry, ` ${raw}`, keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/canonical/) });
    expect(verifyRecord(RECORD_DOMAINS.auditEntry, 'garbage', keys)).toMatchObject({ ok: false, reason: 'not JSON' });
  });
});
