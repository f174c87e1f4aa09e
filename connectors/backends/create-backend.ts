import type { Backend, BackendConfig } from './backend.types.ts';
import { FileBackend } from './file-backend.ts';
import { HttpBackend } from './http-backend.ts';

export function createBackend(config: BackendConfig): Backend {
  return config.type === 'file' ? new FileBackend(config.dir) : new HttpBackend(config.urlTemplate, config.timeoutMs, config.headers);
}
