/** One element of a parsed answer: local name (namespace prefix removed), attributes, child elements, text. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** Decoded character data (text and CDATA) directly inside the element, in document order. */
  readonly text: string;
}
