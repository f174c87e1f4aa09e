import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HubError } from '../../lib/errors/hub-error.ts';
import type { Backend } from './backend.types.ts';
import { parseRecord } from './parse-record.ts';

const SAFE_SEGMENT = /^[A-Za-z0-9._-]+$/;

/** Records as files `<dir>/<recordType>/<subject>.json`: for demos and tests. */
export class FileBackend implements Backend {
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  async fetch(recordType: string, subject: string): Promise<Record<string, unknown> | undefined> {
    // Both come from a verified envelope, but a path is built from them: refuse
    // anything that could leave the folder.
    if (!SAFE_SEGMENT.test(recordType) || recordType.startsWith('.') || !/^\d{13}$/.test(subject)) {
      throw new HubError('ERR_BACKEND_UNAVAILABLE', 'record type or subject cannot name a file');
    }
    let text: string;
    try {
      text = await readFile(join(this.dir, recordType, `${subject}.json`), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new HubError('ERR_BACKEND_UNAVAILABLE', 'file backend cannot read the record', { cause: error });
    }
    return parseRecord(text, 'file backend');
  }
}
