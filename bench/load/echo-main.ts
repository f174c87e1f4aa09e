// Baseline (b): a plain gRPC unary echo server, same proto loader, server settings and mutual TLS as the node.
// Usage: echo-main.ts <server cert PEM> <server key PEM> <client CA PEM>
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { exchangeService } from '../../lib/proto.ts';

const { Client } = exchangeService();
const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 });
server.addService(Client.service, {
  RequestRecord: (call: grpc.ServerUnaryCall<{ subject: string }, object>, cb: grpc.sendUnaryData<object>) =>
    cb(null, { exchangeId: 'echo', providerId: 'ECHO', recordJson: JSON.stringify({ subject: call.request.subject }), fieldsDelivered: [], providerSignature: '', providerKeyId: '' }),
});
const [certFile, keyFile, caFile] = process.argv.slice(2) as [string, string, string];
const credentials = grpc.ServerCredentials.createSsl(readFileSync(caFile), [{ cert_chain: readFileSync(certFile), private_key: readFileSync(keyFile) }], true);
server.bindAsync('127.0.0.1:0', credentials, (error, port) => {
  if (error) throw error;
  process.stdout.write(`echo ready on ${port}\n`);
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
