import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDelivery } from '../../lib/envelope/verify-delivery.ts';
import { KeyRing } from '../../lib/crypto/key-ring.ts';
import { expectFailure } from '../helpers/grpc-error.ts';
import { HubFixture, SOMCHAI, SOMSRI } from '../helpers/hub-fixture.ts';
import { FileBackend } from '../../connectors/backends/file-backend.ts';
import { join } from 'node:path';
import { DEMO_DATA } from '../../cli/demo-setup.ts';
import { readFile } from 'node:fs/promises';
import type { Backend } from '../../connectors/backends/backend.types.ts';

const PERSON = 'dopa.civil-registration.person';
const WELFARE = 'fpo.welfare-card.status';

/** MOPH's backend answers immunisation records that break their schema (a date that is not a date). */
const brokenMoph: Backend = {
  fetch: async (recordType, subject) => {
    const record = await new FileBackend(join(DEMO_DATA, 'MOPH')).fetch(recordType, subject);
    return record && { ...record, lastUpdated: 'yesterday' };
  },
};

describe('record exchange through node, connector and a real Kafka broker', () => {
  let hub: HubFixture;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA', 'FPO', 'RD'] });
    await hub.startConnector('MOPH', brokenMoph);
  });
  afterAll(() => hub?.stop());

  it('delivers a record whose provider signature the consumer verifies with the provider public key', async () => {
    const fpo = await hub.client('FPO');
    const asked = { consumer: 'FPO', recordType: PERSON, subject: SOMSRI, clientRequestId: randomUUID() };
    const response = await fpo.requestRecord({ subject: SOMSRI, recordType: PERSON, purpose: 'WELFARE_ELIGIBILITY', clientRequestId: asked.clientRequestId });

    expect(response.providerId).toBe('DOPA');
    expect(JSON.parse(response.recordJson)).toEqual({ titleTh: 'นาง', firstNameTh: 'สมศรี', lastNameTh: 'ใจดี', dateOfBirth: '1984-03-12', lifeStatus: 'alive' });
    expect([...response.fieldsDelivered].sort()).toEqual(['dateOfBirth', 'firstNameTh', 'lastNameTh', 'lifeStatus', 'titleTh']);
    // The consumer checks provenance itself, with only DOPA's public JWKS.
    const dopaJwks = JSON.parse(await readFile(join(hub.demo.policiesDir, 'keys', 'DOPA.jwks.json'), 'utf8'));
    const dopaKeys = await KeyRing.fromJwks([['DOPA', dopaJwks]]);
    const signed = await verifyDelivery(response, dopaKeys, asked);
    expect(signed.exchangeId).toBe(response.exchangeId);
    // The same key id with another agency's public key: the signature itself fails.
    const fpoJwks = JSON.parse(await readFile(join(hub.demo.policiesDir, 'keys', 'FPO.jwks.json'), 'utf8'));
    const impostor = { keys: [{ ...fpoJwks.keys[0], kid: dopaJwks.keys[0].kid }] };
    await expect(verifyDelivery(response, await KeyRing.fromJwks([['DOPA', impostor]]), asked)).rejects.toMatchObject({ code: 'ERR_PROVIDER_SIGNATURE_INVALID' });
    // A genuine signature over someone else's record, or for another agency, is refused.
    await expect(verifyDelivery(response, dopaKeys, { ...asked, subject: SOMCHAI })).rejects.toMatchObject({ code: 'ERR_PROVIDER_BINDING_MISMATCH' });
    await expect(verifyDelivery(response, dopaKeys, { ...asked, consumer: 'RD' })).rejects.toMatchObject({ code: 'ERR_PROVIDER_BINDING_MISMATCH' });
  });

  it('delivers only the requested subset of allowed fields', async () => {
    const fpo = await hub.client('FPO');
    const response = await fpo.requestRecord({ subject: SOMSRI, recordType: PERSON, purpose: 'IDENTITY_VERIFICATION', fields: ['lifeStatus'], clientRequestId: randomUUID() });
    expect(JSON.parse(response.recordJson)).toEqual({ lifeStatus: 'alive' });
  });

  it('answers NOT_FOUND when the provider holds no record for the subject', async () => {
    const bma = await hub.client('BMA');
    const details = await expectFailure(
      bma.requestRecord({ subject: '1509900043212', recordType: WELFARE, purpose: 'LOCAL_SERVICE_REGISTRATION', clientRequestId: randomUUID() }),
      status.NOT_FOUND,
      'ERR_RECORD_NOT_FOUND',
    );
    expect(details).not.toContain('1509900043212');
  });

  it('rejects a malformed citizen id before anything is sent', async () => {
    const fpo = await hub.client('FPO');
    const bad = (subject: string) => fpo.requestRecord({ subject, recordType: PERSON, purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() });
    expect(await expectFailure(bad('1101700203451'), status.INVALID_ARGUMENT, 'ERR_INVALID_CITIZEN_ID')).toMatch(/check digit/);
    expect(await expectFailure(bad('12345'), status.INVALID_ARGUMENT, 'ERR_INVALID_CITIZEN_ID')).toMatch(/13 digits/);
    expect(await expectFailure(bad(''), status.INVALID_ARGUMENT, 'ERR_INVALID_CITIZEN_ID')).toMatch(/required/);
    expect(hub.backends.get('DOPA')!.calls.has('1101700203451')).toBe(false);
  });

  it('rejects an unknown record type and an unknown purpose', async () => {
    const fpo = await hub.client('FPO');
    const details = await expectFailure(
      fpo.requestRecord({ subject: SOMSRI, recordType: 'dopa.criminal-record', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() }),
      status.INVALID_ARGUMENT,
      'ERR_UNKNOWN_RECORD_TYPE',
    );
    expect(details).toContain('dopa.criminal-record');
    await expectFailure(
      fpo.requestRecord({ subject: SOMSRI, recordType: PERSON, purpose: 'MARKETING', clientRequestId: randomUUID() }),
      status.INVALID_ARGUMENT,
      'ERR_UNKNOWN_PURPOSE',
    );
  });

  it('names a field the record type does not have (regression: the name was cut to nothing)', async () => {
    const fpo = await hub.client('FPO');
    const details = await expectFailure(
      fpo.requestRecord({ subject: SOMSRI, recordType: PERSON, purpose: 'WELFARE_ELIGIBILITY', fields: ['lifeStatus', 'nickname', 'shoeSize'], clientRequestId: randomUUID() }),
      status.INVALID_ARGUMENT,
      'ERR_INVALID_ARGUMENT',
    );
    expect(details).toContain('has no field nickname, shoeSize');
  });

  it('denies without an agreement, for a purpose the agreement does not cover, and for fields beyond it', async () => {
    const bma = await hub.client('BMA');
    await expectFailure(
      bma.requestRecord({ subject: SOMSRI, recordType: PERSON, purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() }),
      status.PERMISSION_DENIED,
      'ERR_NO_AGREEMENT',
    );
    const fpo = await hub.client('FPO');
    await expectFailure(
      fpo.requestRecord({ subject: SOMSRI, recordType: PERSON, purpose: 'TAX_ASSESSMENT', clientRequestId: randomUUID() }),
      status.PERMISSION_DENIED,
      'ERR_PURPOSE_NOT_AGREED',
    );
    const details = await expectFailure(
      fpo.requestRecord({ subject: SOMSRI, recordType: PERSON, purpose: 'WELFARE_ELIGIBILITY', fields: ['lastNameTh', 'gender'], clientRequestId: randomUUID() }),
      status.PERMISSION_DENIED,
      'ERR_FIELDS_NOT_ALLOWED',
    );
    expect(details).toContain('gender');
  });

  it('answers FAILED_PRECONDITION when the provider record fails its schema, naming the path only', async () => {
    const bma = await hub.client('BMA');
    const details = await expectFailure(
      bma.requestRecord({ subject: SOMSRI, recordType: 'moph.immunization.history', purpose: 'DISEASE_CONTROL', clientRequestId: randomUUID() }),
      status.FAILED_PRECONDITION,
      'ERR_RECORD_SCHEMA_INVALID',
    );
    expect(details).toContain('/lastUpdated');
    expect(details).not.toContain('yesterday');
  });

  it('serves grpc.health.v1 without authentication', async () => {
    const grpc = await import('@grpc/grpc-js');
    const { protoPath } = await import('grpc-health-check');
    const protoLoader = await import('@grpc/proto-loader');
    const def = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath, { enums: String })) as unknown as {
      grpc: { health: { v1: { Health: typeof grpc.Client } } };
    };
    const health = new def.grpc.health.v1.Health(hub.address, await hub.credentials('FPO')) as unknown as {
      check: (req: object, cb: (e: Error | null, r: { status: string }) => void) => void;
      close: () => void;
    };
    const answer = await new Promise<{ status: string }>((resolve, reject) =>
      health.check({ service: 'xhub.exchange.v1.Exchange' }, (e, r) => (e ? reject(e) : resolve(r))),
    );
    health.close();
    expect(answer.status).toBe('SERVING');
  });

  it('writes log lines for every exchange without a citizen id, token or record content in them', async () => {
    const fpo = await hub.client('FPO');
    await fpo.requestRecord({ subject: SOMSRI, recordType: PERSON, purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() });
    const logs = hub.logs.join('');
    expect(logs).toContain('record delivered');
    expect(logs).toContain('record sent');
    for (const secret of [SOMSRI, SOMCHAI, 'สมศรี', 'Bearer', 'eyJ']) expect(logs).not.toContain(secret);
  });

  it('does not leak the citizen id of a failed request into the error message', async () => {
    const bma = await hub.client('BMA');
    const details = await expectFailure(
      bma.requestRecord({ subject: SOMCHAI, recordType: PERSON, purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() }),
      status.PERMISSION_DENIED,
      'ERR_NO_AGREEMENT',
    );
    expect(details).not.toContain(SOMCHAI);
  });
});
