import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_DATA } from '../../cli/demo-setup.ts';
import type { Backend } from '../../connectors/backends/backend.types.ts';

const PERSON = JSON.parse(readFileSync(join(DEMO_DATA, 'DOPA/dopa.civil-registration.person/3100500123458.json'), 'utf8')) as Record<string, unknown>;

/**
 * DOPA's civil registry for a crowd: a person record for every citizen id
 * (its last name carries the id's last four digits, so each record is its
 * own), except ids in `missing`. Counts fetches per subject.
 */
export class AnySubjectBackend implements Backend {
  readonly fetches = new Map<string, number>();
  readonly missing: Set<string>;
  /** People whose record is padded to about 12 KB (a long name): to overflow a batch. */
  readonly padded = new Set<string>();

  constructor(missing: Iterable<string> = []) {
    this.missing = new Set(missing);
  }

  async fetch(recordType: string, subject: string): Promise<Record<string, unknown> | undefined> {
    this.fetches.set(subject, (this.fetches.get(subject) ?? 0) + 1);
    if (recordType !== 'dopa.civil-registration.person' || this.missing.has(subject)) return undefined;
    const name = `ทดสอบ${subject.slice(-4)}`;
    return { ...PERSON, lastNameTh: this.padded.has(subject) ? name.padEnd(4096, 'ก') : name };
  }
}
