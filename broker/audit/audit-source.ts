import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Kafka } from 'kafkajs';
import { groupNames } from '../../lib/kafka/provision.ts';
import { topicNames } from '../../lib/kafka/topics.ts';
import { readTopic } from './read-topic.ts';

/** The audit log as a verifier sees it: entries and checkpoint messages, each in topic order. */
export interface AuditLogCopy {
  entries: Buffer[];
  checkpoints: Buffer[];
}

/** Reads the audit log of the hub under `prefix`, as the audit-reader principal may (its own groups only). */
export async function readAuditLog(kafka: Kafka, prefix: string, onProgress?: (read: number, total: number) => void): Promise<AuditLogCopy> {
  const topics = topicNames(prefix);
  const groups = groupNames(prefix).auditReader();
  // Checkpoints first: every checkpoint read then covers only entries that exist.
  const checkpoints: Buffer[] = [];
  await readTopic(kafka, topics.auditCheckpoints(), groups, (value) => checkpoints.push(value));
  const entries: Buffer[] = [];
  await readTopic(kafka, topics.audit(), groups, (value) => entries.push(value), onProgress);
  return { entries, checkpoints };
}

/** JSON Lines, one message a line: `{"topic":"audit"|"checkpoints","value":"<base64>"}`. */
export async function writeAuditLogFile(path: string, log: AuditLogCopy): Promise<void> {
  const line = (topic: string, value: Buffer) => JSON.stringify({ topic, value: value.toString('base64') });
  await writeFile(path, [...log.checkpoints.map((v) => line('checkpoints', v)), ...log.entries.map((v) => line('audit', v))].join('\n') + '\n');
}

export async function readAuditLogFile(path: string): Promise<AuditLogCopy> {
  const copy: AuditLogCopy = { entries: [], checkpoints: [] };
  let n = 0;
  for await (const text of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    n += 1;
    if (text.trim() === '') continue;
    let parsed: { topic?: unknown; value?: unknown };
    try {
      parsed = JSON.parse(text) as { topic?: unknown; value?: unknown };
    } catch {
      throw new Error(`${path} line ${n}: not JSON`);
    }
    if (typeof parsed.value !== 'string' || (parsed.topic !== 'audit' && parsed.topic !== 'checkpoints')) throw new Error(`${path} line ${n}: needs "topic" (audit or checkpoints) and a base64 "value"`);
    (parsed.topic === 'audit' ? copy.entries : copy.checkpoints).push(Buffer.from(parsed.value, 'base64'));
  }
  return copy;
}
