import { readFile } from 'node:fs/promises';
import { HubError } from '../../../lib/errors/hub-error.ts';

/**
 * Reads a file named in the backend config (a CA bundle, a client key, an API
 * key, a client secret) once, at start-up. A missing or empty file stops
 * start-up naming the config key and the path, never the content.
 */
export async function readConfigFile(key: string, path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new HubError(
      'ERR_CONFIG_INVALID',
      `${key} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause: error },
    );
  }
  if (text.trim() === '') throw new HubError('ERR_CONFIG_INVALID', `${key} ${path} is empty`);
  return text;
}
