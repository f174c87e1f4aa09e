import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { ServiceError } from '@grpc/grpc-js';
import { loadSigningKeyFile } from '../../lib/crypto/keys.ts';
import { verifyDelivery } from '../../lib/envelope/verify-delivery.ts';
import { ExchangeClient } from '../../lib/exchange-client.ts';
import { loadPolicy } from '../../policies/policy-loader.ts';
import { withDemoTls } from './agency-call.ts';
import { clientTransportOf, tlsOptions, type TlsOptions } from './tls-options.ts';

interface RequestOptions extends TlsOptions {
  node: string;
  audience: string;
  agency: string;
  key?: string;
  policies: string;
  subject: string;
  recordType: string;
  purpose: string;
  fields?: string;
  requestId?: string;
  consentId?: string;
  timeout: string;
}

export function registerRequest(program: Command): void {
  tlsOptions(program.command('request'))
    .description("ask for a record as an agency, then verify the provider's signature and print the result")
    .requiredOption('--agency <id>', 'calling agency id')
    .option('--key <file>', "calling agency's private JWK (default .xhub/demo/secrets/<agency>.private.jwk.json); TLS files default to the demo's too")
    .requiredOption('--subject <citizenId>', '13-digit citizen id')
    .requiredOption('--record-type <id>', 'record type id')
    .requiredOption('--purpose <code>', 'purpose code')
    .option('--policies <dir>', "registry folder, for the provider's public key", '.xhub/demo/policies')
    .option('--node <host:port>', 'node address', '127.0.0.1:50051')
    .option('--audience <nodeId>', 'node id the token is for', 'node-1')
    .option('--fields <a,b,c>', 'subset of fields')
    .option('--request-id <id>', 'client request id (idempotency key); default a new UUID')
    .option('--consent-id <id>', "the person's consent, where the agreement rests on consent (from `xhub consent grant`)")
    .option('--timeout <ms>', 'deadline', '10000')
    .action(async (o: RequestOptions) => {
      const policy = await loadPolicy(o.policies);
      const key = await loadSigningKeyFile(o.key ?? `.xhub/demo/secrets/${o.agency}.private.jwk.json`);
      const client = new ExchangeClient(o.node, o.agency, key, o.audience, await clientTransportOf(withDemoTls({ ...o, as: o.agency })));
      const clientRequestId = o.requestId ?? randomUUID();
      try {
        const response = await client.requestRecord(
          {
            subject: o.subject,
            recordType: o.recordType,
            purpose: o.purpose,
            fields: o.fields ? o.fields.split(',').map((f) => f.trim()) : [],
            clientRequestId,
            consentId: o.consentId ?? '',
          },
          { timeoutMs: Number(o.timeout) },
        );
        await verifyDelivery(response, policy.keys, { consumer: o.agency, recordType: o.recordType, subject: o.subject, clientRequestId });
        console.log(`exchange ${response.exchangeId}: record from ${response.providerId}, signature verified (key ${response.providerKeyId})`);
        console.log(JSON.stringify(JSON.parse(response.recordJson), null, 2));
      } catch (error) {
        const e = error as Partial<ServiceError>;
        const code = e.metadata?.get('xhub-error-code')[0];
        throw new Error(code ? `${e.details ?? e.message}` : String(e.message ?? error), { cause: error });
      } finally {
        client.close();
      }
    });
}
