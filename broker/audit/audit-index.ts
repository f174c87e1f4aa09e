import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue as SqlValue, type StatementSync } from 'node:sqlite';
import { CompactRange } from '../../lib/merkle/compact-range.ts';
import { leafHash } from '../../lib/merkle/hash.ts';
import { consistencyProofFrom, inclusionProofFrom, subtreesOf, type RangeHash } from '../../lib/merkle/tree.ts';
import type { AuditEntry } from './audit-entry.types.ts';

export interface AuditFilter {
  subjectRef?: string;
  agency?: string;
  recordType?: string;
  purpose?: string;
  lawfulBasis?: string;
  decision?: string;
  kind?: string;
  from?: number;
  to?: number;
}

/** What `countEntries` can group by; each maps to fixed SQL (never to caller text). */
const COUNT_DIMENSIONS = {
  day: 'CAST((at + ?) / 86400000 AS INTEGER)',
  kind: 'kind',
  consumer: 'consumer',
  provider: 'provider',
  purpose: 'purpose',
  decision: 'decision',
  // Entries are kept as bytes (BLOB): cast to text, or SQLite would read them as JSONB.
  reason: "json_extract(CAST(raw AS TEXT), '$.reason')",
} as const;
export type CountDimension = keyof typeof COUNT_DIMENSIONS;

export interface CountQuery {
  kinds: readonly string[];
  decision?: string;
  from: number;
  to: number;
  by: readonly CountDimension[];
  /** For `day`: the zone's offset from UTC in ms (Asia/Bangkok: 7 h). */
  utcOffsetMs?: number;
}

/** One group: its count and the value of each dimension grouped by (null where the entry has none). */
export interface CountRow {
  count: number;
  day?: number;
  kind?: string | null;
  consumer?: string | null;
  provider?: string | null;
  purpose?: string | null;
  decision?: string | null;
  reason?: string | null;
}

/** Kind stored for a log position whose record is not a signed hub fact. */
const UNVERIFIED = 'unverified';

export interface IndexedEntry {
  index: number;
  /** The entry's bytes exactly as logged (its Merkle leaf is their hash). */
  raw: Buffer;
  leaf: Buffer;
}

/**
 * A query projection of the audit log in SQLite (WebAssembly build, a file on
 * disk). It is derived data: delete the file and it is rebuilt from the topic.
 * Entries keep their log index (the Merkle leaf index) and leaf hash, and the
 * hash of every perfect subtree above them is kept as it completes (about one
 * per entry), so a proof reads O(log² n) hashes, never the whole log.
 */
export class AuditIndex {
  private readonly db: Sql;
  private readonly insert: StatementSync;
  private readonly insertSubtree: StatementSync;
  /** The right edge of the tree of everything indexed: where the next leaf goes. */
  private edge: CompactRange;
  private readonly hashOf: RangeHash;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Sql(new DatabaseSync(path));
    // Derived data: an index file from before entries had ids, or kept their bytes as text
    // (which altered any that were not UTF-8), is rebuilt from the topic.
    const columns = this.db.all('PRAGMA table_info(entries)').map((c) => c.name);
    if (columns.length > 0 && (!columns.includes('entry_id') || !columns.includes('raw'))) this.db.exec('DROP TABLE entries; DROP TABLE IF EXISTS checkpoints; DROP TABLE IF EXISTS position; DROP TABLE IF EXISTS subtrees;');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS entries (
        idx INTEGER PRIMARY KEY, kind TEXT NOT NULL, at INTEGER NOT NULL, exchange_id TEXT, consumer TEXT, provider TEXT,
        record_type TEXT, purpose TEXT, subject_ref TEXT, lawful_basis TEXT, decision TEXT, raw BLOB NOT NULL, leaf BLOB NOT NULL, entry_id TEXT);
      CREATE UNIQUE INDEX IF NOT EXISTS by_entry_id ON entries (entry_id) WHERE entry_id IS NOT NULL;
      CREATE INDEX IF NOT EXISTS by_subject ON entries (subject_ref, idx);
      CREATE INDEX IF NOT EXISTS by_consumer ON entries (consumer, idx);
      CREATE INDEX IF NOT EXISTS by_provider ON entries (provider, idx);
      CREATE INDEX IF NOT EXISTS by_at ON entries (at);
      CREATE INDEX IF NOT EXISTS by_exchange ON entries (exchange_id, idx) WHERE exchange_id IS NOT NULL;
      CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL, root BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS position (id INTEGER PRIMARY KEY CHECK (id = 0), next_offset INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS subtrees (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;`);
    // Prepared once, not for every entry (about a fifth of the cost of indexing).
    this.insert = this.db.statement(
      'INSERT OR IGNORE INTO entries (idx, kind, at, exchange_id, consumer, provider, record_type, purpose, subject_ref, lawful_basis, decision, raw, leaf, entry_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
    );
    this.insertSubtree = this.db.statement('INSERT OR REPLACE INTO subtrees (level, idx, hash) VALUES (?,?,?)');
    this.hashOf = subtreesOf((level, index) => this.perfect(level, index));
    this.edge = this.restoreEdge();
  }

  /** The hash of a perfect subtree (level 0: a leaf), or an error naming the one missing. */
  private perfect(level: number, index: number): Buffer {
    const row = level === 0 ? this.db.get('SELECT leaf AS hash FROM entries WHERE idx = ?', [index]) : this.db.get('SELECT hash FROM subtrees WHERE level = ? AND idx = ?', [level, index]);
    if (!row) throw new Error(`the audit index lacks the subtree at level ${level}, index ${index}`);
    return asBuffer(row.hash);
  }

  /**
   * The right edge from the stored subtrees; an index file from before they
   * were kept (or with some missing) gets them rebuilt from its leaves, a
   * chunk at a time, once.
   */
  private restoreEdge(): CompactRange {
    const size = this.nextIndex();
    try {
      return CompactRange.restore(size, (level, index) => this.perfect(level, index));
    } catch {
      const edge = new CompactRange();
      this.db.exec('BEGIN');
      try {
        this.db.exec('DELETE FROM subtrees');
        const CHUNK = 10_000;
        for (let first = 0; first < size; first += CHUNK) {
          const rows = this.db.all('SELECT idx, leaf FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx', [first, Math.min(first + CHUNK, size)]);
          for (const r of rows) {
            if (Number(r.idx) !== edge.size) throw new IndexGap();
            this.keep(edge.append(asBuffer(r.leaf)));
          }
        }
        this.db.exec('COMMIT');
      } catch (error) {
        this.rollback();
        if (!(error instanceof IndexGap)) throw error;
        // A hole in the log positions: this derived data is unusable; read the topic again.
        this.db.exec('DELETE FROM entries; DELETE FROM subtrees; DELETE FROM position;');
        return new CompactRange();
      }
      return edge;
    }
  }

  private rollback(): void {
    try {
      this.db.exec('ROLLBACK');
    } catch {
      // No transaction left to roll back: SQLite ended it itself.
    }
  }

  private keep(subtrees: { level: number; index: number; hash: Buffer }[]): void {
    for (const t of subtrees) this.insertSubtree.run(t.level, t.index, t.hash);
  }

  /** The next log index the index expects: everything before it is in. */
  nextIndex(): number {
    return Number(this.db.get('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM entries')?.n ?? 0);
  }

  /** True when an entry with this id is indexed already: a second one is a replay. */
  hasEntry(id: string): boolean {
    return Boolean(this.db.get('SELECT 1 AS found FROM entries WHERE entry_id = ?', [id]));
  }

  /**
   * The topic offset after the last record indexed. Log indexes and offsets
   * differ once a transaction marker or aborted record has taken an offset.
   */
  nextOffset(): number {
    const row = this.db.get('SELECT next_offset FROM position WHERE id = 0');
    return row ? Number(row.next_offset) : this.nextIndex();
  }

  /**
   * Adds entries at consecutive log indexes starting at `first`, and the
   * topic position after them, in one transaction. An entry that is not a
   * signed hub fact (`entry` undefined) keeps its place in the log, as
   * `unverified`, and is never returned by `query`.
   */
  add(first: number, raws: { raw: Buffer; entry: AuditEntry | undefined }[], nextOffset: number): void {
    // The right edge in memory must be the disk's (it is restored after any failed write).
    if (this.edge.size !== this.nextIndex()) this.edge = this.restoreEdge();
    this.db.exec('BEGIN');
    try {
      raws.forEach(({ raw, entry: e }, i) => {
        const index = first + i;
        // An index already in keeps its first bytes; a new one must be the next leaf of the tree.
        if (index < this.edge.size) return;
        if (index > this.edge.size) throw new Error(`audit index: entry ${index} would leave a gap after ${this.edge.size - 1}`);
        const leaf = leafHash(raw);
        const inserted = this.insert.run(index, e?.kind ?? UNVERIFIED, e?.at ?? 0, e?.exchangeId ?? null, e?.consumer ?? null, e?.provider ?? null, e?.recordType ?? null, e?.purpose ?? null, e?.subjectRef ?? null, e?.lawfulBasis ?? null, e?.decision ?? null, raw, leaf, e?.id ?? null);
        if (Number(inserted.changes) !== 1) throw new Error(`audit index: entry ${index} was not stored (a second entry with its id?)`);
        this.keep(this.edge.append(leaf));
      });
      this.db.run('INSERT INTO position (id, next_offset) VALUES (0, ?) ON CONFLICT (id) DO UPDATE SET next_offset = excluded.next_offset', [nextOffset]);
      this.db.exec('COMMIT');
    } catch (error) {
      // SQLite may have rolled back already (a full disk, an I/O error): then ROLLBACK fails too.
      this.rollback();
      // What was appended in memory was rolled back on disk: start again from the disk.
      this.edge = this.restoreEdge();
      throw error;
    }
  }

  /** The leaf hash at a log index. */
  leafAt(index: number): Buffer {
    return this.perfect(0, index);
  }

  /** The RFC 9162 tree hash of the first `size` entries. */
  rootAt(size: number): Buffer {
    this.covers(size);
    return this.hashOf(0, size);
  }

  /** PATH(index, D[size]) from stored subtree hashes (O(log² n) reads). */
  inclusionProof(index: number, size: number): Buffer[] {
    this.covers(size);
    return inclusionProofFrom(this.hashOf, index, size);
  }

  /** PROOF(first, D[second]) from stored subtree hashes (O(log² n) reads). */
  consistencyProof(first: number, second: number): Buffer[] {
    this.covers(second);
    return consistencyProofFrom(this.hashOf, first, second);
  }

  private covers(size: number): void {
    if (!Number.isInteger(size) || size < 0 || size > this.edge.size) throw new RangeError(`the audit index holds ${this.edge.size} entries, not ${size}`);
  }

  addCheckpoint(size: number, note: string, root: Buffer): void {
    this.db.run('INSERT OR IGNORE INTO checkpoints (size, note, root) VALUES (?,?,?)', [size, note, root]);
  }

  latestCheckpoint(): { size: number; note: string; root: Buffer } | undefined {
    const row = this.db.get('SELECT size, note, root FROM checkpoints ORDER BY size DESC LIMIT 1');
    return row ? { size: Number(row.size), note: row.note as string, root: asBuffer(row.root) } : undefined;
  }

  /** The signed checkpoint of exactly `size` entries, if the sequencer signed one at that size. */
  checkpointAt(size: number): { size: number; note: string; root: Buffer } | undefined {
    const row = this.db.get('SELECT size, note, root FROM checkpoints WHERE size = ?', [size]);
    return row ? { size: Number(row.size), note: row.note as string, root: asBuffer(row.root) } : undefined;
  }

  query(filter: AuditFilter, afterIndex: number, limit: number): IndexedEntry[] {
    // Only signed hub facts are ever answered; `xhub audit verify` names the rest.
    const where: string[] = ['idx > ?', `kind <> '${UNVERIFIED}'`];
    const values: SqlValue[] = [afterIndex];
    const eq = (column: string, value: string | undefined) => {
      if (value === undefined || value === '') return;
      where.push(`${column} = ?`);
      values.push(value);
    };
    eq('subject_ref', filter.subjectRef);
    eq('record_type', filter.recordType);
    eq('purpose', filter.purpose);
    eq('lawful_basis', filter.lawfulBasis);
    eq('decision', filter.decision);
    eq('kind', filter.kind);
    if (filter.agency) {
      where.push('(consumer = ? OR provider = ?)');
      values.push(filter.agency, filter.agency);
    }
    if (filter.from !== undefined) {
      where.push('at >= ?');
      values.push(filter.from);
    }
    if (filter.to !== undefined) {
      where.push('at < ?');
      values.push(filter.to);
    }
    values.push(limit);
    return this.db
      .all(`SELECT idx, raw, leaf FROM entries WHERE ${where.join(' AND ')} ORDER BY idx LIMIT ?`, values)
      .map((r) => ({ index: Number(r.idx), raw: asBuffer(r.raw), leaf: asBuffer(r.leaf) }));
  }

  /** Every signed entry of one exchange, in log order (its evidence). */
  exchangeEntries(exchangeId: string): IndexedEntry[] {
    return this.db
      .all(`SELECT idx, raw, leaf FROM entries WHERE exchange_id = ? AND kind <> '${UNVERIFIED}' ORDER BY idx`, [exchangeId])
      .map((r) => ({ index: Number(r.idx), raw: asBuffer(r.raw), leaf: asBuffer(r.leaf) }));
  }

  /**
   * Every log position in [first, end), unverified ones included, in log
   * order: what a full verification reads, a chunk at a time. A position
   * missing from the range is missing from the index.
   */
  positions(first: number, end: number): IndexedEntry[] {
    return this.db.all('SELECT idx, raw, leaf FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx', [first, end]).map((r) => ({ index: Number(r.idx), raw: asBuffer(r.raw), leaf: asBuffer(r.leaf) }));
  }

  /** Signed checkpoints of sizes in [minSize, maxSize], smallest first. */
  checkpointsBetween(minSize: number, maxSize: number): { size: number; note: string; root: Buffer }[] {
    return this.db.all('SELECT size, note, root FROM checkpoints WHERE size >= ? AND size <= ? ORDER BY size', [minSize, maxSize]).map((r) => ({ size: Number(r.size), note: r.note as string, root: asBuffer(r.root) }));
  }

  /**
   * The signed times (`at`) of the newest hub fact before log index `size` and
   * of the oldest from `size` on: around a checkpoint of that size, how recent
   * what it covers is and how long the unsigned tail has waited.
   */
  timesAround(size: number): { lastBefore: number | undefined; firstFrom: number | undefined } {
    const at = (sql: string) => {
      const row = this.db.get(sql, [size]);
      return row ? Number(row.at) : undefined;
    };
    return {
      lastBefore: at(`SELECT at FROM entries WHERE idx < ? AND kind <> '${UNVERIFIED}' ORDER BY idx DESC LIMIT 1`),
      firstFrom: at(`SELECT at FROM entries WHERE idx >= ? AND kind <> '${UNVERIFIED}' ORDER BY idx LIMIT 1`),
    };
  }

  /**
   * Counts of signed entries of `kinds` with `at` in [from, to), grouped by
   * `by`, in SQL (nothing is loaded entry by entry). `day` groups by calendar
   * day at a fixed UTC offset (`utcOffsetMs`): the day's number since
   * 1970-01-01 in that zone. `reason` is read from the entry's JSON.
   */
  countEntries(q: CountQuery): CountRow[] {
    const where = ['at >= ?', 'at < ?', `kind IN (${q.kinds.map(() => '?').join(',')})`];
    const values: SqlValue[] = [q.from, q.to, ...q.kinds];
    if (q.decision) {
      where.push('decision = ?');
      values.push(q.decision);
    }
    // Only the fixed dimensions reach the SQL text, whatever a caller passes at run time.
    if (!q.by.every((d) => Object.hasOwn(COUNT_DIMENSIONS, d))) throw new Error(`countEntries groups by ${Object.keys(COUNT_DIMENSIONS).join(', ')} only`);
    const columns = q.by.map((d) => `${COUNT_DIMENSIONS[d]} AS ${d}`);
    const grouped = q.by.length > 0 ? ` GROUP BY ${q.by.join(', ')}` : '';
    return this.db
      .all(`SELECT ${[...columns, 'COUNT(*) AS n'].join(', ')} FROM entries WHERE ${where.join(' AND ')}${grouped}`, [...(q.by.includes('day') ? [q.utcOffsetMs ?? 0] : []), ...values])
      .map((r) => {
        const row: CountRow = { count: Number(r.n) };
        for (const d of q.by) row[d] = (d === 'day' ? Number(r[d]) : r[d]) as never;
        return row;
      });
  }

  close(): void {
    this.db.close();
  }
}

/** The index file has no entry at some log position below its highest: it is rebuilt from the topic. */
class IndexGap extends Error {}

/** A BLOB column as a Buffer over the same memory (no copy). */
function asBuffer(value: unknown): Buffer {
  const bytes = value as Uint8Array;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Node's built-in SQLite (node:sqlite) with prepared statements kept per SQL
 * text: the index runs the same few statements for every entry and query.
 */
class Sql {
  private readonly statements = new Map<string, StatementSync>();
  private readonly database: DatabaseSync;

  constructor(database: DatabaseSync) {
    this.database = database;
  }

  statement(sql: string): StatementSync {
    let prepared = this.statements.get(sql);
    if (!prepared) this.statements.set(sql, (prepared = this.database.prepare(sql)));
    return prepared;
  }

  exec(sql: string): void {
    this.database.exec(sql);
  }

  get(sql: string, values: SqlValue[] = []): Record<string, unknown> | undefined {
    return this.statement(sql).get(...values);
  }

  all(sql: string, values: SqlValue[] = []): Record<string, unknown>[] {
    return this.statement(sql).all(...values);
  }

  run(sql: string, values: SqlValue[] = []): void {
    this.statement(sql).run(...values);
  }

  close(): void {
    if (this.database.isOpen) this.database.close();
  }
}
