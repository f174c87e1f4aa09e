/** The five entities every XML document has (XML 1.0 s.4.6); with DTDs refused there can be no others. */
const PREDEFINED = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);

const REFERENCE = /&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z_][\w.-]*);/g;

/**
 * Decodes predefined entities and character references in one pass over the
 * raw text; what it produces is never decoded again, so nothing can expand.
 * Returns undefined for a bare `&`, an undefined entity, or a reference to a
 * character XML 1.0 does not allow (s.2.2), e.g. `&#0;`.
 */
export function decodeXmlText(raw: string): string | undefined {
  if (!raw.includes('&')) return raw;
  // XML 1.0 s.2.4: every `&` begins a reference.
  if (raw.replace(REFERENCE, '').includes('&')) return undefined;
  let valid = true;
  const decoded = raw.replace(REFERENCE, (_match, ref: string) => {
    const char = ref.startsWith('#') ? fromCharRef(ref) : PREDEFINED.get(ref);
    if (char === undefined) valid = false;
    return char ?? '';
  });
  return valid ? decoded : undefined;
}

function fromCharRef(ref: string): string | undefined {
  const code = ref.startsWith('#x') ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
  const allowed =
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff);
  return allowed ? String.fromCodePoint(code) : undefined;
}
