import { HubError } from '../../../lib/errors/hub-error.ts';
import type { SoapOperationConfig } from '../backend.types.ts';
import { soapHeaders, soapVersion } from './soap-version.ts';
import { fillTemplate, parseXml } from './soap-xml.ts';
import { compilePath, type XmlPath } from './xml-path.ts';

/** One record type's request and answer paths, checked once at open. */
export interface SoapOperation {
  readonly template: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly recordPath: XmlPath;
  readonly fields: readonly (readonly [string, XmlPath])[];
}

/** Visible ASCII without `"` and `\`: the action goes inside a quoted header value. */
const ACTION = /^[!#-[\]-~]*$/;

/** Compiles every operation; the first problem is ERR_CONFIG_INVALID naming the record type and the key. */
export function compileOperations(
  operations: Record<string, SoapOperationConfig>,
): ReadonlyMap<string, SoapOperation> {
  const entries = Object.entries(operations);
  if (entries.length === 0) throw new HubError('ERR_CONFIG_INVALID', 'soap backend has no operations');
  return new Map(
    entries.map(([recordType, operation]) => [recordType, compileOperation(recordType, operation)]),
  );
}

function compileOperation(recordType: string, config: SoapOperationConfig): SoapOperation {
  const where = `soap operation ${recordType}:`;
  const template = config.requestTemplate;
  if (!template.includes('{subject}'))
    throw new HubError('ERR_CONFIG_INVALID', `${where} requestTemplate has no {subject}`);
  try {
    parseXml(fillTemplate(template, '1234567890123'), 'requestTemplate');
  } catch (error) {
    throw new HubError(
      'ERR_CONFIG_INVALID',
      `${where} requestTemplate is not a well-formed XML document without a DTD`,
      { cause: error },
    );
  }
  if (config.soapAction !== undefined && !ACTION.test(config.soapAction)) {
    throw new HubError(
      'ERR_CONFIG_INVALID',
      `${where} soapAction must be printable ASCII without quotes, backslashes or spaces`,
    );
  }
  const fields = Object.entries(config.fields);
  if (fields.length === 0) throw new HubError('ERR_CONFIG_INVALID', `${where} fields is empty`);
  return {
    template,
    headers: soapHeaders(soapVersion(template), config.soapAction),
    recordPath: compilePath(config.recordPath, `${where} recordPath`, false),
    fields: fields.map(([name, path]) => [name, compilePath(path, `${where} fields.${name}`, true)] as const),
  };
}
