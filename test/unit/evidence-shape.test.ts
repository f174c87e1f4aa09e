import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { embeddedTrust, verifyEvidence, type EvidenceTrust } from '../../broker/evidence/verify-evidence.ts';
import { KeyRing } from '../../lib/crypto/key-ring.ts';
import { noteSigner, verifierKeyOf, verifierOf } from '../../lib/merkle/signed-note.ts';

const log = verifierOf(noteSigner('exchange-hub.test/log', generateKeyPairSync('ed25519').privateKey));
const trust = async (): Promise<EvidenceTrust> => ({ log, keys: await KeyRing.fromJwks([]), anchored: true });

// Bundles are read from files a court or another agency was handed: attacker-controlled until checked.
describe('evidence bundle shape', () => {
  it.each([
    ['not an object', 'x'],
    ['no entries', { format: 'xhub-evidence/v1', exchangeId: 'e', checkpoint: 'c', entries: [], keys: { log: 'l', nodes: {}, providers: {} } }],
    ['entry bytes that are not base64', { format: 'xhub-evidence/v1', exchangeId: 'e', checkpoint: 'c', entries: [{ index: 0, bytes: '<script>', inclusionProof: [] }], keys: { log: 'l', nodes: {}, providers: {} } }],
    ['a negative index', { format: 'xhub-evidence/v1', exchangeId: 'e', checkpoint: 'c', entries: [{ index: -1, bytes: '', inclusionProof: [] }], keys: { log: 'l', nodes: {}, providers: {} } }],
  ])('refuses %s as a format failure', async (_, input) => {
    expect(await verifyEvidence(input, await trust())).toMatchObject({ ok: false, check: 'format' });
  });

  it('refuses a checkpoint that is not signed by the trusted log key', async () => {
    const bundle = { format: 'xhub-evidence/v1', exchangeId: 'e', checkpoint: 'exchange-hub.test/log\n1\nAAAA\n\n— someone AAAA\n', entries: [{ index: 0, bytes: '', inclusionProof: [] }], keys: { log: verifierKeyOf(log), nodes: {}, providers: {} } };
    expect(await verifyEvidence(bundle, await trust())).toMatchObject({ ok: false, check: 'checkpoint' });
  });

  it('takes embedded keys only as unanchored trust', async () => {
    const embedded = await embeddedTrust({ keys: { log: verifierKeyOf(log), nodes: {}, providers: {} } });
    expect(embedded.anchored).toBe(false);
    expect(embedded.log.name).toBe('exchange-hub.test/log');
    await expect(embeddedTrust({})).rejects.toThrow(/embeds no keys/);
  });
});
