/**
 * How long the broker may hold a fetch of a consumer on the exchange path
 * (requests, replies, consent events) when there is nothing to return. With
 * Kafka's minBytes of 1 a fetch answers as soon as a message arrives, so this
 * does not delay messages: it only sets how often an idle consumer asks again.
 * At 100 ms the hub's idle consumers kept the broker at about a quarter of a
 * core; at 500 ms they cost a fraction of that. A consumer that is stopped may
 * wait up to this long for its last fetch.
 */
export const LONG_POLL_MS = 500;
