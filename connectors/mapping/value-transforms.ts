import type { ValueTransform } from './mapping.types.ts';
import { MappingValueError } from './mapping-value-error.ts';
import { toIsoDate } from './thai-dates.ts';

export type Transform = (value: unknown) => unknown;

type CodeLists = Readonly<Record<string, Readonly<Record<string, string>>>>;

const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
// Thai systems format amounts as 1,234,567.50: commas only as thousands separators.
const GROUPED_NUMBER = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;

/** The function a rule's transform stands for; no transform copies the value as it is. */
export function compileTransform(transform: ValueTransform | undefined, codeLists: CodeLists): Transform {
  if (transform === undefined) return (value) => value;
  if ('date' in transform) return (value) => toIsoDate(value, transform.date);
  if ('lookup' in transform)
    return lookupIn(codeLists[transform.lookup] ?? {}, `code list ${transform.lookup}`);
  if ('values' in transform) return lookupIn(transform.values, 'values map');
  if ('number' in transform) return toNumber;
  if ('string' in transform) return toText;
  return trimText;
}

/**
 * Codes are compared as text, without surrounding spaces: a CHAR(2) column
 * pads `1` to `1 `, and an integer column gives 10 where the list says "10".
 */
function lookupIn<T>(table: Readonly<Record<string, T>>, name: string): Transform {
  return (value) => {
    const key = codeText(value);
    if (key === undefined)
      throw new MappingValueError(`not a code for the ${name}: expected a string or a number`);
    if (!Object.hasOwn(table, key)) throw new MappingValueError(`code not in the ${name}`);
    return table[key];
  };
}

function codeText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint')
    return String(value);
  return undefined;
}

function toNumber(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') {
    // A NUMERIC/BIGINT beyond 2^53 would silently lose digits as a JSON number.
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new MappingValueError('number too large to be exact');
    }
    return Number(value);
  }
  if (typeof value === 'string') {
    const text = value.trim();
    const parsed = PLAIN_NUMBER.test(text)
      ? Number(text)
      : GROUPED_NUMBER.test(text)
        ? Number(text.replaceAll(',', ''))
        : NaN;
    if (Number.isFinite(parsed)) return parsed;
  }
  throw new MappingValueError('not a number');
}

function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (
    (typeof value === 'number' && Number.isFinite(value)) ||
    typeof value === 'bigint' ||
    typeof value === 'boolean'
  )
    return String(value);
  throw new MappingValueError('not a text value: expected a string, number or boolean');
}

function trimText(value: unknown): string {
  if (typeof value !== 'string') throw new MappingValueError('not a string');
  return value.trim();
}
