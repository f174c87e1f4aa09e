/** A JSON Schema node as a record type declares it: an object, or `true`/`false`. */
export type SchemaNode = Record<string, unknown> | boolean;

/**
 * The sub-schema of a dotted target path, following `properties` through
 * nested objects; or why there is none. Composition (`$ref`, `allOf`, …) is
 * not followed: a mapped field must be spelled out in `properties`.
 */
export function schemaAt(
  root: SchemaNode,
  segments: readonly string[],
): { schema: SchemaNode } | { reason: string } {
  let node: SchemaNode = root;
  for (const [i, segment] of segments.entries()) {
    const properties = propertiesOf(node);
    if (properties === undefined) {
      const parent = segments.slice(0, i).join('.');
      return {
        reason:
          i === 0
            ? 'the record schema has no properties'
            : `${parent} is not an object with properties in the record schema`,
      };
    }
    if (!Object.hasOwn(properties, segment)) return { reason: 'not a property of the record schema' };
    node = properties[segment] as SchemaNode;
  }
  return { schema: node };
}

export function propertiesOf(node: SchemaNode): Record<string, unknown> | undefined {
  if (typeof node !== 'object') return undefined;
  const properties = node.properties;
  return typeof properties === 'object' && properties !== null
    ? (properties as Record<string, unknown>)
    : undefined;
}

export function requiredOf(node: SchemaNode): string[] {
  if (typeof node !== 'object' || !Array.isArray(node.required)) return [];
  return node.required.filter((r): r is string => typeof r === 'string');
}

/** The declared `type`s of a node, or undefined when it declares none (an `enum` alone, say). */
export function typesOf(node: SchemaNode): string[] | undefined {
  if (typeof node !== 'object') return undefined;
  if (typeof node.type === 'string') return [node.type];
  if (Array.isArray(node.type)) return node.type.filter((t): t is string => typeof t === 'string');
  return undefined;
}
