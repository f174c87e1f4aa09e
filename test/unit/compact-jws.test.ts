import { CompactSign, compactVerify, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { signAgencyToken } from '../../lib/agency-token.ts';
import { signatureValid, signCompact, splitCompact } from '../../lib/crypto/compact-jws.ts';
import { verifyJson } from '../../lib/envelope/jws.ts';

const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
const other = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
const header = { alg: 'EdDSA' as const, kid: 'hub-1', typ: 'xhub-request+jws' };
const payload = JSON.stringify({ exchangeId: 'e-1', subject: 'ข้อมูล', n: 1 });
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('compact JWS through node:crypto', () => {
  it('signs byte for byte what jose CompactSign signs, and jose verifies it', async () => {
    const ours = signCompact(payload, header, privateKey);
    const theirs = await new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader(header).sign(privateKey);
    expect(ours).toBe(theirs);
    const verified = await compactVerify(ours, publicKey, { algorithms: ['EdDSA'] });
    expect(new TextDecoder().decode(verified.payload)).toBe(payload);
  });

  it('agency tokens are the same bytes jose SignJWT makes, and pass jose jwtVerify', async () => {
    const token = await signAgencyToken('FPO', { kid: 'fpo-1', key: privateKey }, 'node-1', 'digest');
    const [, body] = token.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString()) as { iat: number; exp: number; jti: string };
    const theirs = await new SignJWT({ req_sha256: 'digest' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'fpo-1', typ: 'JWT' })
      .setIssuer('FPO')
      .setSubject('FPO')
      .setAudience('node-1')
      .setIssuedAt(claims.iat)
      .setExpirationTime(claims.exp)
      .setJti(claims.jti)
      .sign(privateKey);
    expect(token).toBe(theirs);
    await expect(jwtVerify(token, publicKey, { audience: 'node-1', issuer: 'FPO' })).resolves.toBeTruthy();
  });

  it('verifies what jose signs', async () => {
    const jws = await new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader(header).sign(privateKey);
    const checked = await verifyJson(jws, header.typ, () => publicKey);
    expect(checked).toEqual({ ok: true, payload: JSON.parse(payload), kid: 'hub-1' });
  });

  it('refuses a changed payload, another key, and a changed header, naming the failure', async () => {
    const jws = signCompact(payload, header, privateKey);
    const [h, , s] = jws.split('.');
    const tampered = `${h}.${b64({ exchangeId: 'e-2' })}.${s}`;
    expect(await verifyJson(tampered, header.typ, () => publicKey)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(await verifyJson(jws, header.typ, () => other.publicKey)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(await verifyJson(jws, 'xhub-response+jws', () => publicKey)).toMatchObject({ ok: false, reason: 'wrong-type' });
    expect(await verifyJson(jws, header.typ, () => undefined)).toMatchObject({ ok: false, reason: 'unknown-key' });
    const noneAlg = `${b64({ ...header, alg: 'none' })}.${jws.split('.')[1]}.`;
    expect(await verifyJson(noneAlg, header.typ, () => publicKey)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('refuses parts that are not strict base64url, a crit header, and a short signature', () => {
    const jws = signCompact(payload, header, privateKey);
    const [h, p, s] = jws.split('.') as [string, string, string];
    // Buffer's decoder would skip the '*' and '=': the split must refuse them first.
    expect(splitCompact(`${h}.${p}*.${s}`)).toMatchObject({ ok: false, detail: 'a JWS part is not base64url' });
    expect(splitCompact(`${h}.${p}.${s}=`)).toMatchObject({ ok: false, detail: 'a JWS part is not base64url' });
    expect(splitCompact(`${h}.${p}`)).toMatchObject({ ok: false });
    expect(splitCompact(`${b64({ ...header, crit: ['exp'], exp: 1 })}.${p}.${s}`)).toMatchObject({ ok: false, detail: expect.stringContaining('crit') });
    expect(splitCompact(`${b64([1])}.${p}.${s}`)).toMatchObject({ ok: false, detail: 'the protected header is not a JSON object' });
    expect(splitCompact(`${h}.${p}.${s.slice(0, 40)}`)).toMatchObject({ ok: false, detail: 'the signature is not 64 bytes (Ed25519)' });
    const parts = splitCompact(jws);
    expect(parts.ok && signatureValid(parts, publicKey)).toBe(true);
  });
});
