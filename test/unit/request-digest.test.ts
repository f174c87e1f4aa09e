import { describe, expect, it } from 'vitest';
import { HubError } from '../../lib/errors/hub-error.ts';
import { requestDigest } from '../../lib/agency-token.ts';
import { exchangeMessage } from '../../lib/exchange-client.ts';
import { exchangeService } from '../../lib/proto.ts';
import { shortMethod } from '../../broker/transport/call-context.ts';
import { requestDigestOf, withRequestDigests } from '../../broker/transport/request-digest.ts';
import { securityEventOf } from '../../broker/transport/security-events.ts';

describe('request digests (the token claim req_sha256)', () => {
  const method = exchangeService().Client.service.RequestRecord!;
  const request = exchangeMessage({ subject: '1101700203450', recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: 'r-1' });

  it('is base64url SHA-256 of the bytes (known answer: SHA-256 of no bytes)', () => {
    expect(requestDigest(new Uint8Array())).toBe('47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU');
  });

  it('is the same on the server, from the bytes received, as the client computed from the bytes it sent', () => {
    const bytes = method.requestSerialize(request);
    const decoded = withRequestDigests(exchangeService().Client.service).RequestRecord!.requestDeserialize(bytes);
    expect(requestDigestOf(decoded)).toBe(requestDigest(bytes));
    expect(requestDigestOf({ ...(decoded as object) })).toBe('');
  });

  it('differs for a different body', () => {
    expect(requestDigest(method.requestSerialize({ ...request, subject: '3100500123458' }))).not.toBe(requestDigest(method.requestSerialize(request)));
  });
});

describe('security events', () => {
  it('are failed authentications and role denials, nothing else', () => {
    expect(securityEventOf(new HubError('ERR_AUTH_CERT_MISMATCH', 'x'))).toBe('auth_failure');
    expect(securityEventOf(new HubError('ERR_AUTH_REQUEST_MISMATCH', 'x'))).toBe('auth_failure');
    expect(securityEventOf(new HubError('ERR_ROLE_REQUIRED', 'x'))).toBe('role_denied');
    expect(securityEventOf(new HubError('ERR_NO_AGREEMENT', 'x'))).toBeUndefined();
  });

  it('name the method briefly', () => {
    expect(shortMethod('/xhub.audit.v1.Audit/Query')).toBe('Audit/Query');
    expect(shortMethod('/xhub.exchange.v1.Exchange/RequestRecord')).toBe('Exchange/RequestRecord');
  });
});
