import { HubError } from '../../lib/errors/hub-error.ts';
import { parseTime } from '../../lib/input.ts';

const DAY_MS = 86_400_000;

/**
 * The PDPA (B.E. 2562) was published in the Royal Gazette on 27 May 2019; a
 * consent under its s.19 cannot have been collected, or be valid, before the
 * Act existed. Any earlier time is a client's mistake (an epoch-0 default, a
 * two-digit year), and it also keeps every stored time well above 0, which
 * the consent event schema every node reads back demands.
 */
export const CONSENT_TIME_FLOOR = '2019-05-27T00:00:00+07:00';
const FLOOR_MS = Date.parse(CONSENT_TIME_FLOOR);

/**
 * How far ahead of this node's clock a collection time may be: consent
 * managers stamp it on their own devices (a phone, a counter PC), whose clocks
 * drift further than the hub's NTP-synchronised nodes.
 */
export const COLLECTION_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Ten calendar years, leap days included, so a caller adding ten years to a
 * date is not refused by a day or three.
 */
export const DEFAULT_MAX_CONSENT_VALIDITY_DAYS = 3653;

export interface GrantTimes {
  validFrom: number;
  validTo: number;
  collectedAt: number;
}

const bad = (message: string) => new HubError('ERR_INVALID_ARGUMENT', message);

/**
 * The Grant's times as epoch ms, or ERR_INVALID_ARGUMENT naming the field as
 * a caller writes it. Bounds: collected between the PDPA's publication and
 * now (plus skew); validity from no earlier than that floor and no later than
 * the maximum ahead, ending after it starts, in the future, and at most
 * `maxValidityDays` after its start.
 */
export function grantTimes(
  input: { validFrom: string; validTo: string; collectedAt: string },
  maxValidityDays: number,
  now: number,
): GrantTimes {
  const maxValidityMs = maxValidityDays * DAY_MS;
  const longest = '(the longest validity this hub allows)';
  const collectedAt = parseTime(input.collectedAt, 'collection.collected_at');
  if (collectedAt < FLOOR_MS) {
    throw bad(`collection.collected_at is before ${CONSENT_TIME_FLOOR}, when the PDPA was published`);
  }
  if (collectedAt > now + COLLECTION_CLOCK_SKEW_MS) {
    throw bad(
      `collection.collected_at is in the future (by more than ${COLLECTION_CLOCK_SKEW_MS / 60_000} minutes)`,
    );
  }
  const validFrom = input.validFrom === '' ? now : parseTime(input.validFrom, 'valid_from');
  if (validFrom < FLOOR_MS) {
    throw bad(`valid_from is before ${CONSENT_TIME_FLOOR}, when the PDPA was published`);
  }
  if (validFrom > now + maxValidityMs)
    throw bad(`valid_from is more than ${maxValidityDays} days ahead ${longest}`);
  const validTo = parseTime(input.validTo, 'valid_to');
  if (validTo <= validFrom) throw bad('valid_to must be after valid_from');
  if (validTo <= now) throw bad('valid_to is in the past');
  if (validTo - validFrom > maxValidityMs)
    throw bad(`valid_to is more than ${maxValidityDays} days after valid_from ${longest}`);
  return { validFrom, validTo, collectedAt };
}
