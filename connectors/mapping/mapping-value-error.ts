/**
 * A source value that a mapping rule cannot turn into its target. The message
 * is the reason only, never the value: values are personal data, and the
 * mapper adds the record type, target field and source path around it.
 */
export class MappingValueError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'MappingValueError';
  }
}
