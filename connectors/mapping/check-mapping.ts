import type { FieldRule, RecordMapping, ValueTransform } from './mapping.types.ts';
import { isValidPath, splitPath } from './object-paths.ts';
import { propertiesOf, requiredOf, schemaAt, typesOf, type SchemaNode } from './schema-paths.ts';
import type { ValueCheck } from './value-check.ts';

/** One reason a record mapping can never give a valid record; `target` is the field it concerns. */
export interface MappingProblem {
  target?: string;
  reason: string;
}

type CodeLists = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Code-list entries reported per field before "and N more": one bad list should not flood start-up. */
const MAX_ENTRY_PROBLEMS = 3;

/** A date transform's output, checked against the target like any value (type, format, pattern). */
const SAMPLE_DATE = '2000-01-31';

/**
 * Checks a record mapping against its record type's JSON Schema: every target
 * is a property of it, every configured value (constant, values map, code
 * list) passes the target's sub-schema, a transform's output type fits the
 * target, and every required property, at each level that the mapping builds,
 * is produced by a rule that is not optional.
 */
export function checkRecordMapping(
  root: SchemaNode,
  mapping: RecordMapping,
  codeLists: CodeLists,
  check: ValueCheck,
): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const targets = Object.keys(mapping.fields);
  for (const [target, rule] of Object.entries(mapping.fields)) {
    if (!isValidPath(target)) {
      problems.push({ target, reason: 'not a dotted path (empty segment)' });
      continue;
    }
    const found = schemaAt(root, splitPath(target));
    if ('reason' in found) {
      problems.push({ target, reason: found.reason });
      continue;
    }
    const whole = targets.find((other) => target.startsWith(`${other}.`));
    if (whole !== undefined)
      problems.push({ target, reason: `also set as a whole by the rule for ${whole}` });
    for (const reason of checkRule(rule, found.schema, codeLists, check)) problems.push({ target, reason });
  }
  checkRequired(root, '', mapping.fields, problems);
  return problems;
}

function checkRule(rule: FieldRule, schema: SchemaNode, codeLists: CodeLists, check: ValueCheck): string[] {
  if ('const' in rule) {
    const why = check(schema, rule.const);
    return why === undefined ? [] : [`the constant is refused by the field's schema: ${why}`];
  }
  const problems: string[] = [];
  if (!isValidPath(rule.from)) problems.push(`source ${rule.from} is not a dotted path (empty segment)`);
  if (rule.transform !== undefined)
    problems.push(...checkTransform(rule.transform, schema, codeLists, check));
  return problems;
}

function checkTransform(
  transform: ValueTransform,
  schema: SchemaNode,
  codeLists: CodeLists,
  check: ValueCheck,
): string[] {
  if ('lookup' in transform) {
    const list = Object.hasOwn(codeLists, transform.lookup) ? codeLists[transform.lookup] : undefined;
    if (list === undefined) return [`code list ${transform.lookup} is not defined in codeLists`];
    return checkEntries(`code list ${transform.lookup}`, list, schema, check);
  }
  if ('values' in transform) return checkEntries('values map', transform.values, schema, check);
  if ('date' in transform) {
    if (!declares(schema, 'string'))
      return ['a date transform gives a string, but the field is not string-typed'];
    const why = check(schema, SAMPLE_DATE);
    return why === undefined ? [] : [`an ISO date (YYYY-MM-DD) is refused by the field's schema: ${why}`];
  }
  if ('number' in transform) {
    const types = typesOf(schema);
    return types === undefined || types.includes('number') || types.includes('integer')
      ? []
      : ['a number transform gives a number, but the field is not number-typed'];
  }
  const types = typesOf(schema);
  return types === undefined || types.includes('string')
    ? []
    : ['this transform gives a string, but the field is not string-typed'];
}

/** Every output of a code list or values map must be a valid value of the field. */
function checkEntries(
  name: string,
  entries: Readonly<Record<string, unknown>>,
  schema: SchemaNode,
  check: ValueCheck,
): string[] {
  const refused = Object.entries(entries).flatMap(([key, value]) => {
    const why = check(schema, value);
    return why === undefined
      ? []
      : [`${name} entry "${key}" gives a value the field's schema refuses: ${why}`];
  });
  if (refused.length <= MAX_ENTRY_PROBLEMS) return refused;
  return [
    ...refused.slice(0, MAX_ENTRY_PROBLEMS),
    `${name}: and ${refused.length - MAX_ENTRY_PROBLEMS} more entries the field's schema refuses`,
  ];
}

function declares(schema: SchemaNode, type: string): boolean {
  return typesOf(schema)?.includes(type) ?? false;
}

/**
 * Required properties of `node` (at `prefix`) must come from a non-optional
 * rule, either for the property itself or, for a nested object, for a field
 * inside it; nested objects that the mapping builds in parts are checked the
 * same way, one level down.
 */
function checkRequired(
  node: SchemaNode,
  prefix: string,
  fields: Record<string, FieldRule>,
  problems: MappingProblem[],
): void {
  const pathOf = (key: string) => (prefix ? `${prefix}.${key}` : key);
  const inside = (path: string) => Object.keys(fields).filter((t) => t.startsWith(`${path}.`));
  const sure = (t: string) => !isOptional(fields[t]);
  for (const key of requiredOf(node)) {
    const path = pathOf(key);
    const own = Object.hasOwn(fields, path) ? fields[path] : undefined;
    if (own !== undefined) {
      if (isOptional(own))
        problems.push({ target: path, reason: 'required by the record schema, but its rule is optional' });
      continue;
    }
    const parts = inside(path);
    if (parts.length === 0)
      problems.push({ target: path, reason: 'required by the record schema, but no rule produces it' });
    else if (!parts.some(sure))
      problems.push({
        target: path,
        reason: 'required by the record schema, but every rule inside it is optional',
      });
  }
  for (const [key, child] of Object.entries(propertiesOf(node) ?? {})) {
    const path = pathOf(key);
    if (!Object.hasOwn(fields, path) && inside(path).length > 0)
      checkRequired(child as SchemaNode, path, fields, problems);
  }
}

function isOptional(rule: FieldRule | undefined): boolean {
  return rule !== undefined && 'from' in rule && rule.optional === true;
}
