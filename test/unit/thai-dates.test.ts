import { describe, expect, it } from 'vitest';
import type { DateFormat } from '../../connectors/mapping/mapping.types.ts';
import { MappingValueError } from '../../connectors/mapping/mapping-value-error.ts';
import { toIsoDate } from '../../connectors/mapping/thai-dates.ts';

const KNOWN: [DateFormat, unknown, string][] = [
  ['iso', '2024-03-15', '2024-03-15'],
  ['iso', '2024-03-15T23:30:00+07:00', '2024-03-15'],
  ['iso', '2024-03-15 08:00:00.123Z', '2024-03-15'],
  ['iso', '20240315', '2024-03-15'],
  ['iso-be', '2567-03-15', '2024-03-15'],
  ['iso-be', '2567-3-5', '2024-03-05'],
  ['iso-be', '25270315', '1984-03-15'],
  ['iso-be', 25270315, '1984-03-15'],
  ['iso-be', '๒๕๖๗-๐๓-๑๕', '2024-03-15'],
  ['dmy-be', '15/03/2567', '2024-03-15'],
  ['dmy-be', '5/3/2567', '2024-03-05'],
  ['dmy-be', '15-03-2567', '2024-03-15'],
  ['dmy-be', '15.03.2567', '2024-03-15'],
  ['dmy-be', ' ๑๕/๐๓/๒๕๖๗ ', '2024-03-15'],
  ['dmy', '15/03/2024', '2024-03-15'],
  ['dmy', '1.1.1999', '1999-01-01'],
  ['thai', '15 มีนาคม 2567', '2024-03-15'],
  ['thai', '15 มี.ค. 2567', '2024-03-15'],
  ['thai', '15 มี.ค.2567', '2024-03-15'],
  ['thai', '1 ม.ค. พ.ศ. 2500', '1957-01-01'],
  ['thai', '31 ธันวาคม พ.ศ.2566', '2023-12-31'],
  ['thai', '๑๕ เมษายน ๒๕๖๗', '2024-04-15'],
  ['thai', '9 พ.ย. 2530', '1987-11-09'],
  ['thai', '9 พ.ค. 2530', '1987-05-09'],
];

function reasonOf(value: unknown, format: DateFormat): string {
  try {
    toIsoDate(value, format);
  } catch (error) {
    expect(error).toBeInstanceOf(MappingValueError);
    return (error as Error).message;
  }
  throw new Error('expected the date to be refused');
}

describe('Thai and Buddhist-era dates to ISO 8601', () => {
  it.each(KNOWN)('%s %j → %s', (format, value, iso) => {
    expect(toIsoDate(value, format)).toBe(iso);
  });

  it('knows BE 2567 (2024) is a leap year and BE 2566 (2023) is not', () => {
    expect(toIsoDate('29 ก.พ. 2567', 'thai')).toBe('2024-02-29');
    expect(toIsoDate('29/02/2567', 'dmy-be')).toBe('2024-02-29');
    expect(reasonOf('29 ก.พ. 2566', 'thai')).toMatch(/no such date/);
    expect(reasonOf('2566-02-29', 'iso-be')).toMatch(/no such date/);
    // Century rules, on the Common-Era year: 2000 (BE 2543) leap, 1900 (BE 2443) not.
    expect(toIsoDate('29/02/2543', 'dmy-be')).toBe('2000-02-29');
    expect(reasonOf('29/02/2443', 'dmy-be')).toMatch(/no such date/);
  });

  it('refuses impossible dates', () => {
    expect(reasonOf('2024-02-31', 'iso')).toMatch(/no such date/);
    expect(reasonOf('2567-13-01', 'iso-be')).toMatch(/no such date/);
    expect(reasonOf('31/04/2567', 'dmy-be')).toMatch(/no such date/);
    expect(reasonOf('00/01/2024', 'dmy')).toMatch(/no such date/);
  });

  it('refuses a Common-Era year in a Buddhist-era format, and the reverse, instead of shifting 543 years', () => {
    expect(reasonOf('2024-03-15', 'iso-be')).toMatch(/looks Common Era/);
    expect(reasonOf('15/03/2024', 'dmy-be')).toMatch(/looks Common Era/);
    expect(reasonOf('15 มีนาคม 2024', 'thai')).toMatch(/looks Common Era/);
    expect(reasonOf('2567-03-15', 'iso')).toMatch(/looks Buddhist-era/);
  });

  it('refuses other layouts and non-strings, without repeating the value', () => {
    for (const [value, format] of [
      ['15/03/2567', 'iso-be'],
      ['2567-03-15', 'dmy-be'],
      ['15/03-2567', 'dmy-be'],
      ['15 March 2567', 'thai'],
      ['15 มีนา 2567', 'thai'],
      ['', 'iso'],
      [true, 'iso'],
      [{}, 'dmy'],
    ] as [unknown, DateFormat][]) {
      const reason = reasonOf(value, format);
      if (typeof value === 'string' && value !== '') expect(reason).not.toContain(value);
      expect(reason).not.toMatch(/2567|15/);
    }
  });

  it('reads a Date object (a database date column) by its local calendar fields', () => {
    expect(toIsoDate(new Date(2024, 2, 15), 'iso')).toBe('2024-03-15');
    expect(toIsoDate(new Date(2567, 2, 15), 'iso-be')).toBe('2024-03-15');
    expect(reasonOf(new Date(Number.NaN), 'iso')).toMatch(/invalid Date/);
  });
});
