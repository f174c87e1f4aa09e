import { HubError } from '../../../lib/errors/hub-error.ts';
import type { Backend, SoapBackendConfig } from '../backend.types.ts';
import { createHttpClient } from '../http/http-client.ts';
import type { HttpClient } from '../http/http-client.types.ts';
import { readAnswer } from './soap-answer.ts';
import { compileOperations, type SoapOperation } from './soap-operation.ts';
import { fillTemplate } from './soap-xml.ts';

/**
 * A SOAP 1.1/1.2 or plain XML-over-HTTP service, in the style of the DOPA
 * linkage centre: one POST per fetch with the record type's request template,
 * the subject XML-escaped into it, and the record read from the answer by
 * slash paths. Retries, concurrency and the circuit breaker wrap this class;
 * it only marks the failures that are safe to retry.
 */
export class SoapBackend implements Backend {
  private readonly client: HttpClient;
  private readonly url: string;
  private readonly operations: ReadonlyMap<string, SoapOperation>;

  private constructor(client: HttpClient, url: string, operations: ReadonlyMap<string, SoapOperation>) {
    this.client = client;
    this.url = url;
    this.operations = operations;
  }

  /** Checks every operation (ERR_CONFIG_INVALID naming the record type), then opens the HTTP client. */
  static async open(config: SoapBackendConfig): Promise<SoapBackend> {
    if (!/^https?:\/\/[^/?#\s]+/.test(config.url))
      throw new HubError('ERR_CONFIG_INVALID', 'soap backend url must be an http(s) URL');
    const operations = compileOperations(config.operations);
    const client = await createHttpClient({
      timeoutMs: config.timeoutMs,
      ...(config.tls && { tls: config.tls }),
      ...(config.auth && { auth: config.auth }),
      ...(config.maxResponseBytes !== undefined && { maxResponseBytes: config.maxResponseBytes }),
    });
    return new SoapBackend(client, config.url, operations);
  }

  async fetch(
    recordType: string,
    subject: string,
    timeoutMs: number,
  ): Promise<Record<string, unknown> | undefined> {
    const operation = this.operations.get(recordType);
    if (!operation)
      throw new HubError('ERR_UNKNOWN_RECORD_TYPE', `soap backend has no operation for ${recordType}`);
    const body = fillTemplate(operation.template, subject);
    const answer = await this.client.send(
      { method: 'POST', url: this.url, headers: { ...operation.headers }, body },
      timeoutMs,
    );
    return readAnswer(answer, operation);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
