import { HubError } from '../../lib/errors/hub-error.ts';
import type { RecordType } from '../../policies/policy.types.ts';
import { applyRules, type CompiledRule } from './apply-mapping.ts';
import { checkRecordMapping } from './check-mapping.ts';
import type { MappingsConfig, RecordMapping } from './mapping.types.ts';
import { splitPath } from './object-paths.ts';
import type { SchemaNode } from './schema-paths.ts';
import { valueChecker } from './value-check.ts';
import { compileTransform } from './value-transforms.ts';

/** Turns a backend's raw answer into a record of the hub's schema. */
export interface RecordMapper {
  /**
   * The record for `recordType` built by its mapping; a record type without a
   * mapping passes through unchanged. Throws ERR_RECORD_SCHEMA_INVALID naming
   * the record type, target field and source path (never a value) when a
   * required source is missing (absent or null) or cannot be converted.
   */
  map(recordType: string, raw: Record<string, unknown>): Record<string, unknown>;
}

/** Thrown when mappings are refused at start-up; `problems` lists every reason found, one line each. */
export class MappingConfigError extends HubError {
  readonly problems: readonly string[];

  constructor(problems: string[]) {
    super('ERR_CONFIG_INVALID', `mappings refused:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/**
 * Checks every record mapping against its record type's JSON Schema and
 * compiles it. All problems are collected and reported together (as the
 * policy loader does), so an integrator fixes a config in one round; a
 * mapping that can never produce a valid record stops start-up.
 */
export function compileMappings(
  config: MappingsConfig,
  recordTypes: ReadonlyMap<string, RecordType>,
): RecordMapper {
  const codeLists = config.codeLists ?? {};
  const problems: string[] = [];
  const compiled = new Map<string, CompiledRule[]>();
  for (const [id, mapping] of Object.entries(config.records)) {
    const recordType = recordTypes.get(id);
    if (!recordType) {
      problems.push(`mapping for ${id}: no such record type in the policy`);
      continue;
    }
    const schema = recordType.schema as SchemaNode;
    const found = checkRecordMapping(schema, mapping, codeLists, valueChecker(schema));
    problems.push(
      ...found.map(
        (p) => `mapping for ${id}: ${p.target === undefined ? '' : `field ${p.target}: `}${p.reason}`,
      ),
    );
    if (found.length === 0) compiled.set(id, compileRules(mapping, codeLists));
  }
  if (problems.length > 0) throw new MappingConfigError(problems);
  return {
    map(recordType, raw) {
      const rules = compiled.get(recordType);
      return rules ? applyRules(recordType, rules, raw) : raw;
    },
  };
}

function compileRules(
  mapping: RecordMapping,
  codeLists: NonNullable<MappingsConfig['codeLists']>,
): CompiledRule[] {
  return Object.entries(mapping.fields).map(([target, rule]): CompiledRule => {
    const targetPath = splitPath(target);
    if ('const' in rule) return { target, targetPath, kind: 'const', value: rule.const };
    return {
      target,
      targetPath,
      kind: 'from',
      source: rule.from,
      sourcePath: splitPath(rule.from),
      optional: rule.optional === true,
      transform: compileTransform(rule.transform, codeLists),
    };
  });
}
