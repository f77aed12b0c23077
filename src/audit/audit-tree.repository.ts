import { SQL_AUDIT_TIME } from './audit-chain';
import { Queryable } from './audit-sql';
import { TreeHead } from './audit-tree-head';
import { NodeRef, nodeKey } from './merkle';

/** SQL of the Merkle tree tables (audit_tree_node, audit_tree_head, audit_witness_receipt). */

export interface TreeHeadRow extends TreeHead {
  certSha256: string;
}

const HEAD_COLUMNS = `h.tree_size::text AS size, h.root_hash AS root, ${SQL_AUDIT_TIME('h.signed_at')} AS at, h.signature, h.cert_sha256 AS "cert"`;

interface RawHead {
  size: string;
  root: Buffer;
  at: string;
  signature: Buffer;
  cert: string;
}

const toHead = (r: RawHead): TreeHeadRow => ({ treeSize: Number(r.size), rootHash: r.root, at: r.at, signature: r.signature, certSha256: r.cert });

/** The newest signed tree head, or null before the first. */
export async function latestTreeHead(q: Queryable): Promise<TreeHeadRow | null> {
  const rows: RawHead[] = await q.query(`SELECT ${HEAD_COLUMNS} FROM audit_tree_head h ORDER BY h.tree_size DESC LIMIT 1`);
  return rows[0] ? toHead(rows[0]) : null;
}

/** The signed tree head of exactly this size, or null. */
export async function treeHeadOfSize(q: Queryable, treeSize: number): Promise<TreeHeadRow | null> {
  const rows: RawHead[] = await q.query(`SELECT ${HEAD_COLUMNS} FROM audit_tree_head h WHERE h.tree_size = $1`, [treeSize]);
  return rows[0] ? toHead(rows[0]) : null;
}

/** Signed tree heads with from <= size <= to, in size order. */
export async function treeHeadsBetween(q: Queryable, from: number, to: number): Promise<TreeHeadRow[]> {
  const rows: RawHead[] = await q.query(`SELECT ${HEAD_COLUMNS} FROM audit_tree_head h WHERE h.tree_size BETWEEN $1 AND $2 ORDER BY h.tree_size`, [from, to]);
  return rows.map(toHead);
}

/** How many leaves the stored tree holds (the next leaf index). */
export async function storedTreeSize(q: Queryable): Promise<number> {
  const [{ n }] = await q.query(`SELECT coalesce(max(idx) + 1, 0)::text AS n FROM audit_tree_node WHERE level = 0`);
  return Number(n);
}

/** The stored nodes asked for, by nodeKey(level, index); missing ones are absent from the map. */
export async function fetchNodes(q: Queryable, refs: readonly NodeRef[]): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  if (refs.length === 0) return found;
  const rows: { level: number; idx: string; hash: Buffer }[] = await q.query(
    `SELECT n.level, n.idx::text AS idx, n.hash
       FROM audit_tree_node n JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx`,
    [refs.map((r) => r.level), refs.map((r) => String(r.index))],
  );
  for (const row of rows) found.set(nodeKey(row.level, Number(row.idx)), row.hash);
  return found;
}

/** Inserts complete subtrees the sealer made. */
export async function insertNodes(q: Queryable, levels: number[], indexes: number[], hashes: Buffer[]): Promise<void> {
  if (levels.length === 0) return;
  await q.query(`INSERT INTO audit_tree_node (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])`, [
    levels,
    indexes.map(String),
    hashes,
  ]);
}

export async function insertTreeHead(q: Queryable, head: TreeHead, signedAt: Date, certSha256: string): Promise<void> {
  await q.query(`INSERT INTO audit_tree_head (tree_size, root_hash, signed_at, signature, cert_sha256) VALUES ($1, $2, $3, $4, $5)`, [
    head.treeSize,
    head.rootHash,
    signedAt,
    head.signature,
    certSha256,
  ]);
}

export interface WitnessReceipt {
  witness: string;
  treeSize: number;
  rootHash: string;
  acceptedAt: Date;
}

/** Notes that a witness accepted a head (for the auditor console; verification never trusts these rows). */
export async function insertWitnessReceipt(q: Queryable, witness: string, head: TreeHead, acceptedAt: Date): Promise<void> {
  await q.query(`INSERT INTO audit_witness_receipt (witness, tree_size, root_hash, accepted_at) VALUES ($1, $2, $3, $4)`, [
    witness,
    head.treeSize,
    head.rootHash,
    acceptedAt,
  ]);
}

/** The newest receipt of each witness. */
export async function latestReceipts(q: Queryable): Promise<WitnessReceipt[]> {
  const rows: { witness: string; size: string; root: Buffer; accepted_at: Date }[] = await q.query(
    `SELECT DISTINCT ON (witness) witness, tree_size::text AS size, root_hash AS root, accepted_at
       FROM audit_witness_receipt ORDER BY witness, accepted_at DESC, id DESC`,
  );
  return rows.map((r) => ({ witness: r.witness, treeSize: Number(r.size), rootHash: r.root.toString('hex'), acceptedAt: r.accepted_at }));
}

export interface TreeHeadTimestampRow {
  treeSize: number;
  /** The RFC 3161 TimeStampToken (DER). */
  token: Buffer;
  genTime: Date;
}

/** Keeps a head's RFC 3161 timestamp token (one per head; a second for the same head is ignored). */
export async function insertTreeHeadTimestamp(q: Queryable, treeSize: number, token: Buffer, genTime: Date, tsaUrl: string): Promise<void> {
  await q.query(`INSERT INTO audit_tree_head_timestamp (tree_size, token, gen_time, tsa_url) VALUES ($1, $2, $3, $4) ON CONFLICT (tree_size) DO NOTHING`, [
    treeSize,
    token,
    genTime,
    tsaUrl,
  ]);
}

/** Timestamps of the heads with from <= size <= to, in size order. */
export async function treeHeadTimestampsBetween(q: Queryable, from: number, to: number): Promise<TreeHeadTimestampRow[]> {
  const rows: { size: string; token: Buffer; gen_time: Date }[] = await q.query(
    `SELECT tree_size::text AS size, token, gen_time FROM audit_tree_head_timestamp WHERE tree_size BETWEEN $1 AND $2 ORDER BY tree_size`,
    [from, to],
  );
  return rows.map((r) => ({ treeSize: Number(r.size), token: r.token, genTime: r.gen_time }));
}
