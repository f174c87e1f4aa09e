import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DEMO_DATA } from '../../cli/demo-setup.ts';

/** A record of each type the chaos run asks for, the same for everybody. */
const TEMPLATES: Record<string, string> = {
  'dopa.civil-registration.person': readFileSync(join(DEMO_DATA, 'DOPA/dopa.civil-registration.person/3100500123458.json'), 'utf8'),
  'fpo.welfare-card.status': readFileSync(join(DEMO_DATA, 'FPO/fpo.welfare-card.status/3100500123458.json'), 'utf8'),
};

/**
 * An agency's REST backend on loopback that answers for anybody and counts
 * every fetch per person: what the provider's own system saw, whatever the
 * hub or the callers report. `url` is the base for `{recordType}/{subject}`.
 */
export async function countingRecordServer(): Promise<{ url: string; fetches: ReadonlyMap<string, number>; close(): Promise<void> }> {
  const fetches = new Map<string, number>();
  const server = createServer((req, res) => {
    const [, recordType, subject] = /^\/records\/([^/]+)\/(\d{13})$/.exec(req.url ?? '') ?? [];
    const body = recordType ? TEMPLATES[recordType] : undefined;
    if (!body || !subject) {
      res.writeHead(404).end();
      return;
    }
    fetches.set(subject, (fetches.get(subject) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/records`,
    fetches,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
