import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * The hub's logger. Log lines carry exchange ids and codes, never a citizen id,
 * token, key or record content; the redaction list is a second line of defence
 * for fields that must never be logged even by mistake.
 */
export function createLogger(name: string, level = process.env.XHUB_LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = {
    name,
    level,
    redact: {
      paths: ['subject', '*.subject', 'token', '*.token', 'authorization', '*.authorization', 'record', '*.record', 'jws', '*.jws', 'd', '*.d'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
