import { HubError } from '../../lib/errors/hub-error.ts';
import type { Backend } from './backend.types.ts';
import { parseRecord } from './parse-record.ts';

/**
 * An agency HTTP JSON API. The URL template names `{recordType}` and
 * `{subject}`, e.g. `https://registry.internal/api/{recordType}/{subject}`.
 * 200 → the record; 404 → no record; anything else, a refused connection or
 * a timeout → a clear error, never a hang.
 */
export class HttpBackend implements Backend {
  private readonly urlTemplate: string;
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;

  constructor(urlTemplate: string, timeoutMs: number, headers: Record<string, string> = {}) {
    this.urlTemplate = urlTemplate;
    this.timeoutMs = timeoutMs;
    this.headers = headers;
  }

  async fetch(recordType: string, subject: string, timeoutMs: number): Promise<Record<string, unknown> | undefined> {
    const url = this.urlTemplate
      .replaceAll('{recordType}', encodeURIComponent(recordType))
      .replaceAll('{subject}', encodeURIComponent(subject));
    const limit = Math.max(1, Math.min(this.timeoutMs, timeoutMs));
    let response: Response;
    try {
      response = await fetch(url, { headers: { accept: 'application/json', ...this.headers }, signal: AbortSignal.timeout(limit) });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new HubError('ERR_BACKEND_TIMEOUT', `agency backend did not answer within ${limit} ms`, { cause: error });
      }
      throw new HubError('ERR_BACKEND_UNAVAILABLE', 'agency backend cannot be reached', { cause: error });
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new HubError('ERR_BACKEND_UNAVAILABLE', `agency backend answered HTTP ${response.status}`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new HubError('ERR_BACKEND_TIMEOUT', `agency backend did not finish its answer within ${limit} ms`, { cause: error });
    }
    return parseRecord(text, 'agency backend');
  }
}
