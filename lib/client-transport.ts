import * as grpc from '@grpc/grpc-js';

/**
 * How a client reaches a node. TLS is the default: `caPem` is the CA the
 * node's certificate chains to (the system roots when absent); `certPem` and
 * `keyPem` are the agency's client certificate, for a node that requires
 * mutual TLS. Plaintext only by saying so, for a node on loopback with
 * `insecure` set.
 */
export type ClientTransport = { caPem?: string; certPem?: string; keyPem?: string; insecure?: false } | { insecure: true };

/** gRPC channel credentials for a transport. */
export function channelCredentials(transport: ClientTransport = {}): grpc.ChannelCredentials {
  if (transport.insecure) return grpc.credentials.createInsecure();
  const { caPem, certPem, keyPem } = transport;
  if ((certPem === undefined) !== (keyPem === undefined)) throw new Error('a client certificate needs its key, and a key its certificate');
  return grpc.credentials.createSsl(
    caPem === undefined ? null : Buffer.from(caPem),
    keyPem === undefined ? null : Buffer.from(keyPem),
    certPem === undefined ? null : Buffer.from(certPem),
  );
}
