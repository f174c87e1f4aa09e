import { readFileSync } from 'node:fs';

export function readJsonFile<T>(path: string | undefined): Partial<T> {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Partial<T>;
  } catch (error) {
    throw new Error(`cannot read config file ${path}: ${(error as Error).message}`, { cause: error });
  }
}
