import type { Pool, PoolClient, QueryResult } from 'pg';
import pg from 'pg';
import { HubError, isHubError } from '../../../lib/errors/hub-error.ts';
import { sendCancelRequest, type BackendKey, type CancelTarget } from './cancel-request.ts';
import { fetchError } from './postgres-errors.ts';

/** How long a cancelled query may take to end before its connection is dropped regardless. */
const CANCEL_GRACE_MS = 2_000;

/**
 * Runs one query within the request's own time limit, pool wait included.
 *
 * The connection's statement_timeout (the config's statementTimeoutMs) is the
 * server-side ceiling and cancels on the server by itself. A request with less
 * time left than that is bounded here: when its time is up the fetch fails at
 * once with ERR_BACKEND_TIMEOUT and a CancelRequest stops the query on the
 * server, so no abandoned query keeps a backend process and its locks busy.
 * pg's query_timeout would only stop waiting. The same timer also covers a
 * network that swallows packets, which statement_timeout cannot see.
 * Every failure is a HubError fit for the consumer (postgres-errors.ts).
 */
export async function queryWithin(
  pool: Pool,
  target: CancelTarget,
  query: { text: string; values: unknown[]; recordType: string },
  timeoutMs: number,
): Promise<QueryResult> {
  const deadline = performance.now() + timeoutMs;
  const client = await acquire(pool, timeoutMs, query.recordType);
  const lease = new Lease(client);
  const running = client.query(query.text, query.values);
  return new Promise((resolve, reject) => {
    let expired = false;
    const timer = setTimeout(
      () => {
        expired = true;
        reject(timeoutError(query.recordType));
        void abandon(lease, running, target);
      },
      Math.max(0, deadline - performance.now()),
    );
    running.then(
      (result) => {
        if (expired) return;
        clearTimeout(timer);
        lease.release(false);
        resolve(result);
      },
      (error: unknown) => {
        if (expired) return;
        clearTimeout(timer);
        // A server error leaves the session usable; a lost connection does not.
        lease.release(!(error instanceof pg.DatabaseError || isHubError(error)));
        reject(fetchError(error, query.recordType));
      },
    );
  });
}

function timeoutError(recordType: string): HubError {
  return new HubError(
    'ERR_BACKEND_TIMEOUT',
    `postgres query for ${recordType} did not answer within the request's time limit`,
  );
}

/** A pooled connection, from the pool's queue or a new connection, but no later than the deadline. */
async function acquire(pool: Pool, timeoutMs: number, recordType: string): Promise<PoolClient> {
  const pending = pool.connect();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(recordType)), Math.max(0, timeoutMs));
  });
  try {
    return await Promise.race([pending, expired]);
  } catch (error) {
    // Given up on: a connection that still arrives goes straight back to the pool.
    pending.then(
      (client) => client.release(),
      () => undefined,
    );
    throw fetchError(error, recordType);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Cancels a query whose request has already failed, then drops its
 * connection: a cancel signal that lands late must never hit the next
 * request's query on a reused session.
 */
async function abandon(lease: Lease, running: Promise<unknown>, target: CancelTarget): Promise<void> {
  // pg keeps the session's BackendKeyData on the client, untyped in @types/pg.
  await sendCancelRequest(target, lease.client as unknown as BackendKey);
  let grace: NodeJS.Timeout | undefined;
  await Promise.race([
    running.catch(() => undefined),
    new Promise((resolve) => (grace = setTimeout(resolve, CANCEL_GRACE_MS))),
  ]);
  clearTimeout(grace);
  lease.release(true);
}

/** A pooled connection on loan to one fetch, given back exactly once. */
class Lease {
  readonly client: PoolClient;
  private released = false;
  // While checked out, pg-pool listens to nothing: an unheard 'error' (the
  // server going away mid-query) would crash the process. The failure itself
  // reaches the fetch through the query's promise.
  private readonly ignoreError = (): void => undefined;

  constructor(client: PoolClient) {
    this.client = client;
    client.on('error', this.ignoreError);
  }

  release(discard: boolean): void {
    if (this.released) return;
    this.released = true;
    if (!discard) this.client.removeListener('error', this.ignoreError);
    this.client.release(discard || undefined);
  }
}
