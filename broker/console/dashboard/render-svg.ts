import escapeHtml from 'escape-html';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** What names a chart for assistive technology: an id unique on the page, its title and a text summary. */
export interface ChartName {
  id: string;
  title: string;
  description: string;
}

const ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * Renders a Vega-Lite spec to an SVG string on the server: no browser, no
 * canvas (renderer 'none'; text widths are estimated). Vega escapes every text
 * it writes. The root gets role="img" and aria-labelledby pointing at a
 * <title> and <desc> made here, escaped by escape-html: a screen reader reads
 * the title and the summary; the data itself belongs in the table beside it.
 */
export async function renderSvg(spec: TopLevelSpec, name: ChartName): Promise<string> {
  if (!ID.test(name.id)) throw new Error(`chart id "${name.id}" is not a valid element id`);
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    // Vega's string renderer opens with `<svg ` and plain attributes: the first '>' ends that tag.
    if (!svg.startsWith('<svg ')) throw new Error('vega returned no SVG element');
    const end = svg.indexOf('>');
    const titleId = `${name.id}-title`;
    const descId = `${name.id}-desc`;
    return (
      `<svg id="${name.id}" role="img" aria-labelledby="${titleId} ${descId}" ${svg.slice(5, end)}>` +
      `<title id="${titleId}">${escapeHtml(name.title)}</title><desc id="${descId}">${escapeHtml(name.description)}</desc>` +
      svg.slice(end + 1)
    );
  } finally {
    view.finalize();
  }
}
