import { HubError } from '../../../lib/errors/hub-error.ts';
import { clip } from '../../../lib/input.ts';

const DAY_MS = 86_400_000;

/**
 * Calendar days of a time zone with one UTC offset over a range, as the SQL
 * groups them: day n runs from n·24 h − offset to (n+1)·24 h − offset, UTC.
 * Asia/Bangkok has been UTC+7 all year since 1920; a zone whose offset moves
 * within the range (summer time) is refused rather than binned wrongly.
 */
export interface ZoneDays {
  timeZone: string;
  utcOffsetMs: number;
  /** Day numbers since 1970-01-01 in the zone, first and last (inclusive) of the range. */
  first: number;
  last: number;
}

/** The days the range [from, to) touches in `timeZone`; ERR_INVALID_ARGUMENT naming the option that is wrong. */
export function zoneDays(from: number, to: number, timeZone: string, maxDays: number): ZoneDays {
  if (!Number.isSafeInteger(from) || from < 0) throw bad('from must be a time in epoch ms');
  if (!Number.isSafeInteger(to) || to <= from) throw bad('to must be a time in epoch ms after from');
  const offset = offsetsOf(timeZone);
  const utcOffsetMs = offset(from);
  if (Math.ceil((to - from) / DAY_MS) > maxDays + 1) throw bad(`from and to span more than ${maxDays} days`);
  // Daily samples and the end: summer time, if the zone has it, moves the offset for weeks.
  const moves = (t: number): boolean => offset(t) !== utcOffsetMs;
  let moved = moves(to - 1);
  for (let t = from + DAY_MS; !moved && t < to; t += DAY_MS) moved = moves(t);
  if (moved)
    throw bad(
      `timeZone ${clip(timeZone)} changes its UTC offset between from and to: only zones with one offset (such as Asia/Bangkok) are supported`,
    );
  const first = dayOf(from, utcOffsetMs);
  const last = dayOf(to - 1, utcOffsetMs);
  if (last - first + 1 > maxDays) throw bad(`from and to span ${last - first + 1} days: at most ${maxDays}`);
  return { timeZone, utcOffsetMs, first, last };
}

export function dayOf(at: number, utcOffsetMs: number): number {
  return Math.floor((at + utcOffsetMs) / DAY_MS);
}

/** A day number as its ISO 8601 date, YYYY-MM-DD (Gregorian, as the console shows times). */
export function dayLabel(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The zone's offset from UTC at a time, in ms, read from Intl's "GMT+07:00" form. */
function offsetsOf(timeZone: string): (at: number) => number {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  } catch {
    throw bad('timeZone must be an IANA time zone such as Asia/Bangkok');
  }
  return (at) => {
    const name = format.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
    const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name ?? '');
    if (!m) throw bad(`timeZone ${clip(timeZone)} gives no UTC offset`);
    if (!m[1]) return 0;
    return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3_600_000 + Number(m[3]) * 60_000);
  };
}

const bad = (message: string) => new HubError('ERR_INVALID_ARGUMENT', message);
