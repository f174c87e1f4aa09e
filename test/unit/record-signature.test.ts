import { describe, expect, it } from 'vitest';
import { CanonicalObject, canonicalJson, isCanonicalText } from '../../lib/crypto/digest.ts';
import { generateAgencyKeyPair, importSigningKey } from '../../lib/crypto/keys.ts';
import { KeyRing } from '../../lib/crypto/key-ring.ts';
import { RECORD_DOMAINS, RecordBatcher, RecordSigner, verifyRecord } from '../../lib/crypto/record-signature.ts';

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
    // The same signed fact in another byte form: keys out of order, or spaced out.
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(parsed).reverse()));
    expect(verifyRecord(RECORD_DOMAINS.auditEntry, reordered, keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/canonical/) });
    expect(verifyRecord(RECORD_DOMAINS.auditEntry, JSON.stringify(parsed, null, 1), keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/canonical/) });
    expect(verifyRecord(RECORD_DOMAINS.auditEntry, 'garbage', keys)).toMatchObject({ ok: false, reason: 'not JSON' });
  });
});

describe('records signed in a batch', () => {
  it('verifies every record of a batch on its own, and a lone record keeps a plain sig', async () => {
    const { signer, keys } = await setup();
    const raws = signer.signBatch(RECORD_DOMAINS.auditEntry, Array.from({ length: 7 }, (_, i) => ({ id: `e${i}`, kind: 'decision' })));
    expect(new Set(raws.map((r) => JSON.parse(r).sigBatch.sig)).size).toBe(1);
    raws.forEach((raw, i) => expect(verifyRecord(RECORD_DOMAINS.auditEntry, raw, keys)).toMatchObject({ ok: true, value: { id: `e${i}`, nodeId: 'n1' } }));
    const [lone] = signer.signBatch(RECORD_DOMAINS.auditEntry, [{ id: 'x' }]);
    expect(JSON.parse(lone!)).toHaveProperty('sig');
  });

  it('refuses a changed record, a moved index, a swapped proof, a forged root and another domain, even once the batch signature is known good', async () => {
    const { signer, forger, keys } = await setup();
    const raws = signer.signBatch(RECORD_DOMAINS.auditEntry, Array.from({ length: 5 }, (_, i) => ({ id: `e${i}`, kind: 'decision' })));
    // The batch signature is checked (and remembered) first.
    expect(verifyRecord(RECORD_DOMAINS.auditEntry, raws[0]!, keys)).toMatchObject({ ok: true });
    const edit = (raw: string, f: (o: { sigBatch: Record<string, unknown> } & Record<string, unknown>) => void) => {
      const o = JSON.parse(raw);
      f(o);
      return canonicalJson(o);
    };
    expect(verifyRecord(RECORD_DOMAINS.auditEntry, raws[1]!.replace('"decision"', '"delivered"'), keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/inclusion proof fails/) });
    expect(verifyRecord(RECORD_DOMAINS.auditEntry, edit(raws[1]!, (o) => (o.sigBatch.index = 2)), keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/inclusion/) });
    expect(verifyRecord(RECORD_DOMAINS.auditEntry, edit(raws[1]!, (o) => (o.sigBatch.path = JSON.parse(raws[2]!).sigBatch.path)), keys)).toMatchObject({ ok: false });
    // A whole batch signed by another key under this node's name.
    const forged = forger.signBatch(RECORD_DOMAINS.auditEntry, [{ id: 'f1' }, { id: 'f2' }]);
    expect(verifyRecord(RECORD_DOMAINS.auditEntry, forged[0]!, keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/batch signature does not verify/) });
    // A root the forger made, with the genuine batch's signature.
    expect(verifyRecord(RECORD_DOMAINS.auditEntry, edit(forged[0]!, (o) => (o.sigBatch.sig = JSON.parse(raws[0]!).sigBatch.sig)), keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/batch signature/) });
    expect(verifyRecord(RECORD_DOMAINS.claim, raws[0]!, keys)).toMatchObject({ ok: false });
    expect(verifyRecord(RECORD_DOMAINS.auditEntry, edit(raws[0]!, (o) => (o.sig = 'x'.repeat(86))), keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/one signature form/) });
    expect(verifyRecord(RECORD_DOMAINS.auditEntry, edit(raws[0]!, (o) => (o.sigBatch.extra = 1)), keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/not a signature batch/) });
  });

  it('the batcher signs what comes in one turn together, in order', async () => {
    const { signer, keys } = await setup();
    const batcher = new RecordBatcher(signer, RECORD_DOMAINS.claim);
    const values = await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.sign({ n: i })));
    expect(values.map((v) => JSON.parse(v).n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(values.map((v) => JSON.parse(v).sigBatch.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const v of values) expect(verifyRecord(RECORD_DOMAINS.claim, v, keys)).toMatchObject({ ok: true });
  });
});

describe('a canonical object with one more member', () => {
  it('is exactly the canonical JSON of the object with that member, wherever it sorts', () => {
    const objects: Record<string, unknown>[] = [
      {},
      { b: 1, a: [1, { z: 'é', y: null }], c: 'x' },
      { nodeId: 'node-1', kid: 'k1', at: 1.5e21, gone: undefined, 'ä': 'umlaut', '\u{1f600}': 'emoji', '\u00e9': 2, Z: true },
    ];
    for (const value of objects) {
      const object = new CanonicalObject(value);
      expect(object.text).toBe(canonicalJson(value));
      for (const name of ['', 'A', 'sig', 'sigBatch', 'zzz', '\u00ff', '\u{1f601}']) {
        const member = { root: 'r', path: ['p'], index: 2 };
        expect(object.with(name, member), name).toBe(canonicalJson({ ...value, [name]: member }));
      }
    }
    expect(() => new CanonicalObject({ sig: 'x' }).with('sig', 'y')).toThrow(/already has a member "sig"/);
  });
});

describe('checking that a text is canonical JSON', () => {
  it('answers exactly canonicalJson(JSON.parse(text)) === text, on canonical texts and on near misses', () => {
    const texts = [
      '{}', '[]', '"x"', '1', '{"a":1,"b":[1,2,{"c":null,"d":"é"}]}', '{"b":1,"a":2}', '{"a":1, "b":2}', '{"a":1,"a":2}',
      '{"10":1,"9":2}', '{"9":2,"10":1}', '{"a":{"10":1,"9":2}}', '{"x":"\\ud800"}', '{"\\udc00":1}', '{"n":-0}', '{"n":1e21}', '{"n":1e+21}',
      '{"n":1.50}', '{"n":1.5}', '{"s":"\\u00e9"}', '{"s":"é"}', '{"s":"\\u001f"}', '{"__proto__":1,"a":2}', '{"toJSON":"x"}', '{"A":1,"a":2}', '{"a":1,"A":2}',
      '{"\u{1f600}":1,"\uff61":2}', '{"\uff61":2,"\u{1f600}":1}', '[1,{"b":1,"a":1}]', '{"a":[{"z":1,"y":2}]}',
    ];
    for (const text of texts) {
      const value = JSON.parse(text) as unknown;
      let expected: boolean;
      try {
        expected = canonicalJson(value) === text;
      } catch {
        expected = false;
      }
      expect(isCanonicalText(value, text), text).toBe(expected);
    }
    // The near misses above are there: some canonical, some not.
    expect(texts.filter((t) => isCanonicalText(JSON.parse(t), t)).length).toBeGreaterThan(5);
    expect(texts.filter((t) => !isCanonicalText(JSON.parse(t), t)).length).toBeGreaterThan(5);
  });
});
