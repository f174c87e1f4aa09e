/**
 * Declarative mapping from a backend's raw answer to a record of the hub's
 * schema. Agency systems never name fields as the hub does, and Thai systems
 * write Buddhist-era years and Thai month names; the mapping says, per record
 * type and per target field, where the value comes from and how it is turned.
 */
export interface MappingsConfig {
  /** Per record type id; a record type without a mapping passes the backend's answer through unchanged. */
  records: Record<string, RecordMapping>;
  /** Named code lists for `lookup`, e.g. `{"province": {"10": "กรุงเทพมหานคร"}}`. */
  codeLists?: Record<string, Record<string, string>>;
}

/** Target field path (dots nest: `address.province`) → how its value is made. */
export interface RecordMapping {
  fields: Record<string, FieldRule>;
}

export type FieldRule =
  /** Copy (rename) a source value; `from` is a dotted path into the raw answer. */
  | { from: string; optional?: boolean; transform?: ValueTransform }
  /** A constant. */
  | { const: string | number | boolean | null };

export type ValueTransform =
  /** A date to ISO 8601 `YYYY-MM-DD`. `format` names how the source writes it. */
  | { date: DateFormat }
  /** Look the value up in a code list; an unknown code is an error naming the field. */
  | { lookup: string }
  /** Map a fixed set of source values, e.g. `{"M": "male", "F": "female"}`. */
  | { values: Record<string, string | number | boolean> }
  | { number: true }
  | { string: true }
  | { trim: true };

export type DateFormat =
  /** `2024-03-15` or a timestamp, Common Era. */
  | 'iso'
  /** `2567-03-15`: ISO layout with a Buddhist-era year (BE = CE + 543). */
  | 'iso-be'
  /** `15/03/2567`: day/month/Buddhist-era year. */
  | 'dmy-be'
  /** `15/03/2024`: day/month/Common Era year. */
  | 'dmy'
  /** `15 มีนาคม 2567` or `15 มี.ค. 2567`: Thai month name (full or abbreviated), Buddhist-era year. */
  | 'thai';
