import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Lang = 'th' | 'en';
const here = dirname(fileURLToPath(import.meta.url));
const load = (lang: Lang) => JSON.parse(readFileSync(join(here, 'messages', `${lang}.json`), 'utf8')) as Record<string, string>;
export const CATALOGS: Record<Lang, Record<string, string>> = { th: load('th'), en: load('en') };

/** The message `key` in `lang`, with `{name}` placeholders filled (values are escaped where the page renders them). */
export function translator(lang: Lang): (key: string, values?: Record<string, string | number>) => string {
  const catalog = CATALOGS[lang];
  return (key, values = {}) => {
    const text = catalog[key];
    if (text === undefined) throw new Error(`no ${lang} message "${key}"`);
    return text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
  };
}
