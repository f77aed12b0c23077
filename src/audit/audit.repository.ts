import { DataSource } from 'typeorm';
import { preparedQuery } from '@/database/prepared-query';
import { Queryable } from './audit-sql';

/**
 * SQL of the trail's writes (audit_entry, audit_checkpoint) and of the sealer's and the verifier's
 * own statements. AuditService, AuditSealerService and AuditVerifyService hold the rules and call
 * these (docs/architecture.md "Where SQL lives"); the chain's shared reads are in audit-sql.ts, the
 * Merkle tree's in audit-tree.repository.ts.
 */

/** One column per audit_entry field, one element per entry (the multi-row INSERT's parameters). */
export interface EntryColumns {
  actorIds: (string | null)[];
  actorUsernames: (string | null)[];
  /** `{role,role}` array literals: roles are fixed words (ROLES). */
  actorRoles: string[];
  actions: string[];
  subjectIds: (string | null)[];
  purposes: (string | null)[];
  outcomes: string[];
  requestIds: (string | null)[];
  clientAddresses: (string | null)[];
  /** JSON text of each entry's details. */
  details: string[];
}

/** One entry's values in the order of the read-and-record statement's entry parameters. */
export type EntryValues = [
  at: Date,
  actorId: string | null,
  actorUsername: string | null,
  actorRoles: string,
  action: string,
  subjectId: string | null,
  purpose: string | null,
  outcome: string,
  requestId: string | null,
  clientAddress: string | null,
  details: string,
];

/**
 * Tier 2, one multi-row INSERT for any batch (bulk retrieval writes a batch per transaction). Plain
 * SQL: this sits on the reveal hot path, where the ORM's insert builder cost more CPU than the
 * database work it wraps.
 */
export async function insertEntries(q: Queryable, at: Date, c: EntryColumns): Promise<void> {
  await q.query(
    `INSERT INTO audit_entry (at, actor_id, actor_username, actor_roles, action, subject_id, purpose, outcome, request_id, client_address, details)
       SELECT $1::timestamptz, t.actor_id, t.actor_username, t.actor_roles::text[], t.action, t.subject_id, t.purpose, t.outcome, t.request_id, t.client_address, t.details::jsonb
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
           AS t(actor_id, actor_username, actor_roles, action, subject_id, purpose, outcome, request_id, client_address, details)`,
    [at, c.actorIds, c.actorUsernames, c.actorRoles, c.actions, c.subjectIds, c.purposes, c.outcomes, c.requestIds, c.clientAddresses, c.details],
  );
}

/**
 * Tier 3, the reveal hot path in ONE statement (so one implicit transaction): runs the caller's
 * read and, for its rows whose `allowed` column is true, inserts the entry; answers the read rows.
 * The read and the audit insert commit together or not at all, before the caller sees a row.
 * `read.sql` may use $1..$n for `read.params`; the entry's own parameters follow. A named prepared
 * statement `audit_read_<read.name>`: parsed and planned once per connection, not on every reveal
 * (measurements in src/database/prepared-query.ts); one name per distinct `read.sql`.
 */
export function readAndRecord<T>(dataSource: DataSource, read: { name: string; sql: string; params: unknown[] }, entry: EntryValues): Promise<T[]> {
  const n = read.params.length;
  const p = (i: number) => `$${n + i}`;
  const text = `WITH read AS (${read.sql}),
            recorded AS (
              INSERT INTO audit_entry (at, actor_id, actor_username, actor_roles, action, subject_id, purpose, outcome, request_id, client_address, details)
              SELECT ${p(1)}::timestamptz, ${p(2)}::uuid, ${p(3)}::text, ${p(4)}::text[], ${p(5)}::text, ${p(6)}::uuid, ${p(7)}::text, ${p(8)}::text, ${p(9)}::text, ${p(10)}::text, ${p(11)}::jsonb
                FROM read WHERE read.allowed
              RETURNING seq)
       SELECT read.* FROM read WHERE NOT read.allowed OR EXISTS (SELECT 1 FROM recorded)`;
  return preparedQuery<T>(dataSource, { name: `audit_read_${read.name}`, text }, [...read.params, ...entry]);
}

/** The last sequence number handed to an entry (null on an empty trail). */
export async function lastEntrySeq(q: Queryable): Promise<string | null> {
  const [{ last }] = await q.query(`SELECT max(seq)::text AS last FROM audit_entry`);
  return last;
}

/** Entries not yet linked into the hash chain (the sealing lag). */
export async function countUnsealed(q: Queryable): Promise<number> {
  const [{ n }] = await q.query('SELECT count(*)::int AS n FROM audit_entry WHERE hash IS NULL');
  return n;
}

/**
 * The sealer's transaction lock: false when another sealer holds it. Once held, the round waits
 * at most 2 s for any row lock (SET LOCAL, so only this transaction).
 */
export async function lockForSealing(m: Queryable, key: string): Promise<boolean> {
  const [{ locked }] = await m.query(`SELECT pg_try_advisory_xact_lock($1::bigint) AS locked`, [key]);
  if (!locked) return false;
  await m.query(`SET LOCAL lock_timeout = '2s'`);
  return true;
}

/** Writes each entry's chain hash where none is set; answers how many rows it sealed. */
export async function sealEntries(m: Queryable, seqs: string[], hashes: Buffer[]): Promise<number> {
  const [{ n }] = await m.query(
    `WITH sealed AS (
           UPDATE audit_entry AS e SET hash = v.hash
           FROM unnest($1::bigint[], $2::bytea[]) AS v(seq, hash)
           WHERE e.seq = v.seq AND e.hash IS NULL
           RETURNING 1)
         SELECT count(*)::int AS n FROM sealed`,
    [seqs, hashes],
  );
  return n;
}

/**
 * Gap entries for the rolled-back sequence numbers [first, last]. The app role may not choose a seq
 * (issue #16): audit_fill_gap() (SECURITY DEFINER, migration 1766000100000) writes them, only for
 * numbers the sequence has handed out. Answers one row per entry written.
 */
export async function fillGap(m: Queryable, first: string, last: string, at: Date): Promise<unknown[]> {
  return m.query(`SELECT audit_fill_gap($1::bigint, $2::bigint, $3::timestamptz) AS seq`, [first, last, at]);
}

/** Stores a signed checkpoint; answers its id. */
export async function insertCheckpoint(
  m: Queryable,
  c: { lastSeq: string; head: Buffer; signedAt: Date; signature: Buffer; certSha256: string },
): Promise<string> {
  const [{ id }] = await m.query(
    `INSERT INTO audit_checkpoint (last_seq, head_hash, signed_at, signature, cert_sha256) VALUES ($1, $2, $3, $4, $5) RETURNING id::text AS id`,
    [c.lastSeq, c.head, c.signedAt, c.signature, c.certSha256],
  );
  return id;
}

/** The first entry past `seq` that carries a hash (with no checkpoint covering it, a removed checkpoint). */
export async function firstSealedAfter(q: Queryable, seq: string): Promise<string | null> {
  const rows = await q.query(`SELECT seq::text AS seq FROM audit_entry WHERE seq > $1 AND hash IS NOT NULL ORDER BY seq LIMIT 1`, [seq]);
  return rows.length ? rows[0].seq : null;
}

/** The first entry at or after `from`, up to `headSeq` (null when none). */
export async function firstSeqFrom(q: Queryable, from: Date, headSeq: string): Promise<string | null> {
  const [{ first }] = await q.query(`SELECT min(seq)::text AS first FROM audit_entry WHERE at >= $1 AND seq <= $2`, [from, headSeq]);
  return first;
}

/** The last entry before `to`, up to `headSeq` (null when none). */
export async function lastSeqBefore(q: Queryable, to: Date, headSeq: string): Promise<string | null> {
  const [{ last }] = await q.query(`SELECT max(seq)::text AS last FROM audit_entry WHERE at < $1 AND seq <= $2`, [to, headSeq]);
  return last;
}

/** The newest checkpoint ending before `seq`, or null. */
export async function checkpointBefore(q: Queryable, seq: string): Promise<{ seq: string; hash: Buffer } | null> {
  const rows = await q.query(`SELECT last_seq::text AS seq, head_hash AS hash FROM audit_checkpoint WHERE last_seq < $1 ORDER BY last_seq DESC LIMIT 1`, [seq]);
  return rows.length ? rows[0] : null;
}

/** The oldest checkpoint ending at or after `seq`, or null. */
export async function checkpointFrom(q: Queryable, seq: string): Promise<{ seq: string } | null> {
  const rows = await q.query(`SELECT last_seq::text AS seq FROM audit_checkpoint WHERE last_seq >= $1 ORDER BY last_seq LIMIT 1`, [seq]);
  return rows.length ? rows[0] : null;
}
