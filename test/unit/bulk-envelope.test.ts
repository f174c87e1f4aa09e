import { describe, expect, it } from 'vitest';
import { KeyRing } from '../../lib/crypto/key-ring.ts';
import { generateAgencyKeyPair, importSigningKey } from '../../lib/crypto/keys.ts';
import { checkBulkRecord, signBulkReply, signBulkRequest, verifyBulkReply, verifyBulkRequest } from '../../lib/envelope/bulk/bulk-envelope.ts';
import type { BulkReplyItem, BulkRequestEnvelope } from '../../lib/envelope/bulk/bulk.types.ts';

const hubPair = await generateAgencyKeyPair('hub-1');
const dopaPair = await generateAgencyKeyPair('dopa-1');
const roguePair = await generateAgencyKeyPair('dopa-1');
const hubKey = await importSigningKey(hubPair.privateJwk, 'hub');
const dopaKey = await importSigningKey(dopaPair.privateJwk, 'dopa');
const rogueKey = await importSigningKey(roguePair.privateJwk, 'rogue');
const ring = await KeyRing.fromJwks([
  ['hub', { keys: [hubPair.publicJwk] }],
  ['DOPA', { keys: [dopaPair.publicJwk] }],
]);
const subjects = ['1101700203450', '3100500123458', '1100000000017'];
const request: BulkRequestEnvelope = {
  v: 1,
  batchId: 'b-1',
  nodeId: 'node-1',
  replyTopic: 'xhub.replies.node-1',
  consumer: 'FPO',
  provider: 'DOPA',
  recordType: 'dopa.civil-registration.person',
  purpose: 'WELFARE_ELIGIBILITY',
  fields: ['firstNameTh', 'lifeStatus'],
  lawfulBasis: 'public-task',
  items: subjects.map((subject, i) => ({ exchangeId: `x-${i}`, subject })),
  iat: Date.now(),
  exp: Date.now() + 10_000,
};
const items: BulkReplyItem[] = [
  { exchangeId: 'x-0', outcome: 'delivered', fields: ['firstNameTh', 'lifeStatus'], record: { firstNameTh: 'สมศรี', lifeStatus: 'alive' } },
  { exchangeId: 'x-1', outcome: 'error', error: { code: 'ERR_RECORD_NOT_FOUND', message: 'none' } },
  { exchangeId: 'x-2', outcome: 'delivered', fields: ['lifeStatus'], record: { lifeStatus: 'dead' } },
];
const requestJws = await signBulkRequest(request, hubKey);

describe('bulk envelopes', () => {
  it('the connector takes a batch the hub signed for it, and the node takes a reply that answers it', async () => {
    expect(await verifyBulkRequest(requestJws, ring, 'DOPA')).toEqual(request);
    await expect(verifyBulkRequest(requestJws, ring, 'RD')).rejects.toMatchObject({ code: 'ERR_ENVELOPE_MALFORMED' });
    await expect(verifyBulkRequest(requestJws, ring, 'DOPA', request.exp)).rejects.toMatchObject({ code: 'ERR_ENVELOPE_EXPIRED' });
    const reply = await signBulkReply(request, requestJws, items, dopaKey);
    const verified = await verifyBulkReply(JSON.stringify(reply), ring, request, requestJws);
    expect(verified.items.map((i) => i.item)).toEqual(items);
    // Each delivered record proves itself to the consumer.
    const proof = (i: number) => ({ providerSignature: verified.jws, leafIndex: i, treeSize: 3, path: verified.items[i]!.path });
    const claim = { exchangeId: 'x-2', providerId: 'DOPA', subject: subjects[2]!, recordJson: '{"lifeStatus":"dead"}', fields: ['lifeStatus'], proof: proof(2) };
    expect(await checkBulkRecord(claim, (p, kid) => ring.find(p, kid))).toBeUndefined();
    expect(await checkBulkRecord({ ...claim, recordJson: '{"lifeStatus":"alive"}' }, (p, kid) => ring.find(p, kid))).toMatch(/inclusion proof fails/);
    expect(await checkBulkRecord({ ...claim, proof: proof(0) }, (p, kid) => ring.find(p, kid))).toMatch(/inclusion proof fails/);
  });

  it('refuses a reply that changes a record, adds a field, reorders or drops items, answers another batch or is signed by another key', async () => {
    const reply = await signBulkReply(request, requestJws, items, dopaKey);
    const tamper = async (change: (r: typeof reply) => unknown) => {
      const copy = structuredClone(reply);
      change(copy);
      return verifyBulkReply(JSON.stringify(copy), ring, request, requestJws).then(
        () => 'accepted',
        (e: { code: string; message: string }) => `${e.code}: ${e.message}`,
      );
    };
    expect(await tamper((r) => ((r.items[0] as { record: Record<string, unknown> }).record.lifeStatus = 'dead'))).toMatch(/ERR_PROVIDER_SIGNATURE_INVALID: .*signed root/);
    expect(await tamper((r) => Object.assign(r.items[0]!, { fields: ['firstNameTh', 'lifeStatus', 'nationalId'], record: { firstNameTh: 'x', lifeStatus: 'alive', nationalId: '1' } }))).toMatch(/ERR_PROVIDER_BINDING_MISMATCH: .*beyond the allowed set: nationalId/);
    expect(await tamper((r) => Object.assign(r.items[2]!, { record: { lifeStatus: 'dead', firstNameTh: 'x' } }))).toMatch(/exactly the fields it declares/);
    expect(await tamper((r) => r.items.reverse())).toMatch(/answers another exchange/);
    expect(await tamper((r) => r.items.pop())).toMatch(/answers 2 items of 3/);
    expect(await tamper((r) => (r.jws = 'x.y.z'))).toMatch(/ERR_PROVIDER_SIGNATURE_INVALID/);
    const rogue = await signBulkReply(request, requestJws, items, rogueKey);
    expect(await tamper((r) => (r.jws = rogue.jws))).toMatch(/ERR_PROVIDER_SIGNATURE_INVALID: .*does not verify/);
    const otherBatch = await signBulkReply({ ...request, batchId: 'b-2' }, requestJws, items, dopaKey);
    expect(await tamper((r) => (r.jws = otherBatch.jws))).toMatch(/does not answer this batch/);
    expect(await verifyBulkReply('not json', ring, request, requestJws).catch((e: Error) => e.message)).toMatch(/not JSON/);
  });
});
