import { ChainCheckpoint, ChainEntry, SQL_AUDIT_TIME, ZERO_HASH } from './audit-chain';

/** Anything that runs SQL: a DataSource, an EntityManager or a QueryRunner. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<any>;
}

/** An entry row exactly as the chain sees it (time already in canonical form). */
export interface EntryRow extends ChainEntry {
  seq: string;
  hash: Buffer | null;
}

/** Selects audit_entry (alias e) as EntryRow. */
export const ENTRY_COLUMNS = `e.seq::text AS seq, ${SQL_AUDIT_TIME('e.at')} AS at, e.actor_id AS "actorId",
  e.actor_username AS "actorUsername", e.actor_roles AS "actorRoles", e.action, e.subject_id AS "subjectId", e.purpose,
  e.outcome, e.request_id AS "requestId", e.client_address AS "clientAddress", e.details, e.hash`;

export interface CheckpointRow extends ChainCheckpoint {
  id: string;
  seq: string;
  certSha256: string;
}

const CHECKPOINT_COLUMNS = `c.id::text AS id, c.last_seq::text AS seq, c.head_hash AS head, ${SQL_AUDIT_TIME('c.signed_at')} AS at,
  c.signature, c.cert_sha256 AS "certSha256"`;

/** The sealed head: the newest checkpoint (0 and zeros before the first). */
export async function sealedHead(q: Queryable): Promise<{ seq: string; hash: Buffer; checkpointId: string | null }> {
  const rows = await q.query(`SELECT id::text AS id, last_seq::text AS seq, head_hash AS hash FROM audit_checkpoint ORDER BY last_seq DESC LIMIT 1`);
  return rows.length ? { seq: rows[0].seq, hash: rows[0].hash, checkpointId: rows[0].id } : { seq: '0', hash: ZERO_HASH, checkpointId: null };
}

/** Checkpoints whose last entry lies in [fromSeq, toSeq], in order. */
export async function checkpointsBetween(q: Queryable, fromSeq: string, toSeq: string): Promise<CheckpointRow[]> {
  return q.query(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoint c WHERE c.last_seq BETWEEN $1 AND $2 ORDER BY c.last_seq, c.id`, [fromSeq, toSeq]);
}

/** Entries with afterSeq < seq <= toSeq, in sequence order, at most `limit`. */
export async function entriesAfter(q: Queryable, afterSeq: string, toSeq: string, limit: number): Promise<EntryRow[]> {
  return q.query(`SELECT ${ENTRY_COLUMNS} FROM audit_entry e WHERE e.seq > $1 AND e.seq <= $2 ORDER BY e.seq LIMIT $3`, [afterSeq, toSeq, limit]);
}

/** Pages through (afterSeq, toSeq] in sequence order with a keyset cursor, fetching one page ahead. */
export async function* entryPages(q: Queryable, afterSeq: string, toSeq: string, pageSize: number): AsyncGenerator<EntryRow[]> {
  let page = await entriesAfter(q, afterSeq, toSeq, pageSize);
  while (page.length > 0) {
    const next = page.length < pageSize ? null : entriesAfter(q, page[page.length - 1]!.seq, toSeq, pageSize);
    next?.catch(() => undefined); // if the reader stops early, the page it never asks for must not crash the process
    yield page;
    if (!next) return;
    page = await next;
  }
}

export const MAX_SEQ = '9223372036854775807';
