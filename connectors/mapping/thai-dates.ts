import type { DateFormat } from './mapping.types.ts';
import { MappingValueError } from './mapping-value-error.ts';

/** Buddhist-era year = Common-Era year + 543 (the Thai calendar since 1941). */
export const BE_OFFSET = 543;

/**
 * Years on the wrong side of 2400 are taken as written in the other era: a
 * BE year of 2024 or a CE year of 2567 is a config or data mistake, and
 * converting it silently would shift the date by 543 years.
 */
const ERA_BOUNDARY = 2400;

const THAI_MONTHS = [
  ['มกราคม', 'ม.ค.'],
  ['กุมภาพันธ์', 'ก.พ.'],
  ['มีนาคม', 'มี.ค.'],
  ['เมษายน', 'เม.ย.'],
  ['พฤษภาคม', 'พ.ค.'],
  ['มิถุนายน', 'มิ.ย.'],
  ['กรกฎาคม', 'ก.ค.'],
  ['สิงหาคม', 'ส.ค.'],
  ['กันยายน', 'ก.ย.'],
  ['ตุลาคม', 'ต.ค.'],
  ['พฤศจิกายน', 'พ.ย.'],
  ['ธันวาคม', 'ธ.ค.'],
] as const;

/** Month number by full name and by abbreviation with its dots and spaces removed (`มีค` for `มี.ค.`). */
const MONTH_BY_NAME = new Map<string, number>(
  THAI_MONTHS.flatMap(([full, abbr], i) => [
    [full, i + 1],
    [monthKey(abbr), i + 1],
  ]),
);

const BE_FORMATS: ReadonlySet<DateFormat> = new Set(['iso-be', 'dmy-be', 'thai']);

const TIME_SUFFIX = String.raw`(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?`;
const ISO_LAYOUT = new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})${TIME_SUFFIX}$`, 'i');
const COMPACT_LAYOUT = /^(\d{4})(\d{2})(\d{2})$/;
const DMY_LAYOUT = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/;
// Lazy month so an optional `พ.ศ.` before the year is not swallowed into it.
const THAI_LAYOUT = /^(\d{1,2})\s*([\u0E01-\u0E4F.\s]+?)\s*(?:พ\.?\s*ศ\.?\s*)?(\d{4})$/;

const LAYOUT_HINT: Record<DateFormat, string> = {
  iso: 'YYYY-MM-DD or an ISO timestamp',
  'iso-be': 'YYYY-MM-DD or YYYYMMDD with a Buddhist-era year',
  'dmy-be': 'DD/MM/YYYY with a Buddhist-era year',
  dmy: 'DD/MM/YYYY',
  thai: 'day, Thai month name, Buddhist-era year',
};

interface DateParts {
  year: number;
  month: number;
  day: number;
}

/**
 * Converts a date as an agency system writes it to ISO 8601 `YYYY-MM-DD`
 * (Common Era). Strings may use Thai digits (๐-๙). A JavaScript Date (as a
 * database driver returns a `date` column) is read by its local calendar
 * fields, its year in the format's era. Throws a MappingValueError whose
 * reason never repeats the value.
 */
export function toIsoDate(value: unknown, format: DateFormat): string {
  const parts = value instanceof Date ? dateObjectParts(value) : parseText(sourceText(value), format);
  return formatIso(toCommonEra(parts, format));
}

function sourceText(value: unknown): string {
  if (typeof value === 'string')
    return value.replace(/[๐-๙]/g, (d) => String(d.charCodeAt(0) - 0x0e50)).trim();
  // Compact dates are often stored in integer columns.
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw new MappingValueError('not a date: expected a string');
}

function dateObjectParts(value: Date): DateParts {
  if (Number.isNaN(value.getTime())) throw new MappingValueError('not a date: an invalid Date object');
  return { year: value.getFullYear(), month: value.getMonth() + 1, day: value.getDate() };
}

function parseText(text: string, format: DateFormat): DateParts {
  const numbers = (y?: string, m?: string, d?: string): DateParts => ({
    year: Number(y),
    month: Number(m),
    day: Number(d),
  });
  let match: RegExpExecArray | null;
  switch (format) {
    case 'iso':
    case 'iso-be':
      match = ISO_LAYOUT.exec(text) ?? COMPACT_LAYOUT.exec(text);
      if (match) return numbers(match[1], match[2], match[3]);
      break;
    case 'dmy':
    case 'dmy-be':
      match = DMY_LAYOUT.exec(text);
      if (match) return numbers(match[4], match[3], match[1]);
      break;
    case 'thai':
      match = THAI_LAYOUT.exec(text);
      if (match) {
        const month = MONTH_BY_NAME.get(monthKey(match[2] ?? ''));
        if (month === undefined) throw new MappingValueError('not a date: unknown Thai month name');
        return { year: Number(match[3]), month, day: Number(match[1]) };
      }
      break;
  }
  throw new MappingValueError(`not a date in the ${format} format (${LAYOUT_HINT[format]})`);
}

function toCommonEra(parts: DateParts, format: DateFormat): DateParts {
  const buddhistEra = BE_FORMATS.has(format);
  if (buddhistEra && parts.year < ERA_BOUNDARY) {
    throw new MappingValueError(
      `year below ${ERA_BOUNDARY} looks Common Era, but the ${format} format is Buddhist-era`,
    );
  }
  if (!buddhistEra && parts.year >= ERA_BOUNDARY) {
    throw new MappingValueError(
      `year ${ERA_BOUNDARY} or later looks Buddhist-era, but the ${format} format is Common Era`,
    );
  }
  const year = buddhistEra ? parts.year - BE_OFFSET : parts.year;
  if (
    year < 1 ||
    parts.month < 1 ||
    parts.month > 12 ||
    parts.day < 1 ||
    parts.day > daysInMonth(year, parts.month)
  ) {
    throw new MappingValueError('no such date in the calendar');
  }
  return { ...parts, year };
}

/** Gregorian rules, on the Common-Era year: BE 2567 (2024) is a leap year, BE 2566 (2023) is not. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function formatIso({ year, month, day }: DateParts): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function monthKey(name: string): string {
  return name.replace(/[.\s]/g, '');
}
