import escapeHtml from 'escape-html';

/** Markup that is already safe: made only by `html`, never from input. */
export class SafeHtml {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

type Value = SafeHtml | string | number | undefined | null | readonly (SafeHtml | string | number)[];

/** HTML from a template: every interpolated value is escaped unless it is SafeHtml (attacker-controlled data stays text). */
export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

function render(v: Value): string {
  if (v === undefined || v === null) return '';
  if (v instanceof SafeHtml) return v.text;
  if (Array.isArray(v)) return (v as readonly (SafeHtml | string | number)[]).map((x) => render(x)).join('');
  return escapeHtml(String(v));
}
