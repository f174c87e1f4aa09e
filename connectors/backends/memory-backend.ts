import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backend } from './backend.types.ts';
import { parseRecord } from './parse-record.ts';

/**
 * Records held in memory, loaded once from a folder laid out like the file
 * backend's (`<dir>/<recordType>/<subject>.json`): an in-process backend for
 * benchmarks and demos, so the connector's own cost is what is measured.
 */
export class MemoryBackend implements Backend {
  private readonly records: ReadonlyMap<string, Record<string, unknown>>;

  private constructor(records: ReadonlyMap<string, Record<string, unknown>>) {
    this.records = records;
  }

  static async load(dir: string): Promise<MemoryBackend> {
    const records = new Map<string, Record<string, unknown>>();
    for (const type of await readdir(dir, { withFileTypes: true })) {
      if (!type.isDirectory()) continue;
      for (const file of await readdir(join(dir, type.name))) {
        if (!file.endsWith('.json')) continue;
        records.set(`${type.name}/${file.slice(0, -5)}`, parseRecord(await readFile(join(dir, type.name, file), 'utf8'), `memory backend ${file}`));
      }
    }
    return new MemoryBackend(records);
  }

  async fetch(recordType: string, subject: string): Promise<Record<string, unknown> | undefined> {
    const record = this.records.get(`${recordType}/${subject}`);
    return record && structuredClone(record);
  }
}
