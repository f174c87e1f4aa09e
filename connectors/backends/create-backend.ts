import type { Backend, BackendConfig } from './backend.types.ts';
import { FileBackend } from './file-backend.ts';
import { HttpBackend } from './http-backend.ts';
import { MemoryBackend } from './memory-backend.ts';

export async function createBackend(config: BackendConfig): Promise<Backend> {
  switch (config.type) {
    case 'file':
      return new FileBackend(config.dir);
    case 'memory':
      return MemoryBackend.load(config.dir);
    case 'http':
      return new HttpBackend(config.urlTemplate, config.timeoutMs, config.headers);
  }
}
