import { describe, expect, it } from 'vitest';
import { isLoopbackListen, listenHost } from '../../broker/transport/listen-address.ts';

describe('loopback listen addresses (where plaintext gRPC may be allowed)', () => {
  it('takes the host from host:port and [v6]:port', () => {
    expect(listenHost('127.0.0.1:50051')).toBe('127.0.0.1');
    expect(listenHost('[::1]:0')).toBe('::1');
    expect(listenHost('localhost:1')).toBe('localhost');
  });

  it('knows 127.0.0.0/8, ::1 and localhost as loopback', () => {
    for (const listen of ['127.0.0.1:1', '127.255.0.3:1', '[::1]:1', '[0:0:0:0:0:0:0:1]:1', 'LOCALHOST:1', '[::ffff:127.0.0.1]:1']) expect(isLoopbackListen(listen), listen).toBe(true);
  });

  it('treats wildcards, other addresses and names as reachable from the network', () => {
    for (const listen of ['0.0.0.0:1', '[::]:1', '10.1.2.3:1', '128.0.0.1:1', '[fe80::1]:1', 'localhost.example.com:1', '127.0.0.1.nip.io:1', 'node-1:1']) expect(isLoopbackListen(listen), listen).toBe(false);
  });
});
