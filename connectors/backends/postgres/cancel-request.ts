import { connect } from 'node:net';
import { join } from 'node:path';

/** Where cancel requests go: the configured host (or socket directory) and port. */
export interface CancelTarget {
  host: string;
  port: number;
}

/** The key the server gave a session at start-up (BackendKeyData); pg keeps it on the client. */
export interface BackendKey {
  processID: number | null;
  secretKey: number | null;
}

/** Protocol 3.0 CancelRequest code: 1234 in the high half, 5678 in the low. */
const CANCEL_REQUEST_CODE = 80877102;
/** A cancel that cannot even connect in this time will not help: the session is dropped anyway. */
const CANCEL_CONNECT_TIMEOUT_MS = 1_000;

/**
 * Asks the server to cancel whatever a session is running, the way libpq's
 * PQcancel does: a new connection carrying only the session's process id and
 * secret key, no authentication and no pool slot (the pool may be full of the
 * very queries that are stuck). The server answers by closing the socket and
 * the cancelled query fails with SQLSTATE 57014. Best effort: never rejects.
 * Like libpq before PostgreSQL 17, the request goes unencrypted; it carries
 * no citizen data, only the key, which is good for this one session.
 */
export function sendCancelRequest(target: CancelTarget, key: BackendKey): Promise<void> {
  const { processID, secretKey } = key;
  if (processID === null || secretKey === null) return Promise.resolve();
  const packet = Buffer.alloc(16);
  packet.writeInt32BE(16, 0);
  packet.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  packet.writeInt32BE(processID, 8);
  packet.writeInt32BE(secretKey, 12);
  return new Promise((resolve) => {
    const socket = target.host.startsWith('/')
      ? connect(join(target.host, `.s.PGSQL.${target.port}`))
      : connect(target.port, target.host);
    socket.setTimeout(CANCEL_CONNECT_TIMEOUT_MS, () => socket.destroy());
    socket.once('connect', () => socket.end(packet));
    socket.once('error', () => resolve());
    socket.once('close', () => resolve());
  });
}
