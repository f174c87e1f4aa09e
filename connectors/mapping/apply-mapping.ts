import { HubError } from '../../lib/errors/hub-error.ts';
import { MappingValueError } from './mapping-value-error.ts';
import { readPath, writePath } from './object-paths.ts';
import type { Transform } from './value-transforms.ts';

/** One field rule, checked and ready to run. */
export type CompiledRule =
  | { target: string; targetPath: readonly string[]; kind: 'const'; value: unknown }
  | {
      target: string;
      targetPath: readonly string[];
      kind: 'from';
      source: string;
      sourcePath: readonly string[];
      optional: boolean;
      transform: Transform;
    };

/**
 * Builds one record from a backend's raw answer by its rules. Only mapped
 * fields are produced: whatever else the backend returned stays behind. A
 * source value that is absent or null counts as missing: an optional field is
 * then left out, a required one is an error. Errors name the record type, the
 * target field and the source path, never a value (it is personal data).
 */
export function applyRules(
  recordType: string,
  rules: readonly CompiledRule[],
  raw: Record<string, unknown>,
): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const rule of rules) {
    if (rule.kind === 'const') {
      writePath(record, rule.targetPath, rule.value);
      continue;
    }
    const value = readPath(raw, rule.sourcePath);
    if (value === undefined || value === null) {
      if (rule.optional) continue;
      throw fieldError(recordType, rule, "missing from the backend's answer");
    }
    let mapped: unknown;
    try {
      mapped = rule.transform(value);
    } catch (error) {
      if (error instanceof MappingValueError) throw fieldError(recordType, rule, error.message);
      throw error;
    }
    writePath(record, rule.targetPath, mapped);
  }
  return record;
}

function fieldError(recordType: string, rule: { target: string; source: string }, reason: string): HubError {
  return new HubError(
    'ERR_RECORD_SCHEMA_INVALID',
    `mapping of ${recordType}: field ${rule.target} (from ${rule.source}): ${reason}`,
  );
}
