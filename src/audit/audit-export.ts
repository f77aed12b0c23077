import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createHash, X509Certificate } from 'node:crypto';
import { canonicalEntry, ChainCheckpoint, ChainEntry, publicKeyOfCertificate, seqText, VerifyResult } from './audit-chain';
import { verifyChainParallel } from './audit-chain-parallel';
import { describeHead, parseTreeHead, TreeHead, treeHeadBytes, treeHeadJson } from './audit-tree-head';
import { checkAgainstKnownHead, checkTreeHeads, KnownHead, TreeRecomputer } from './audit-tree-verify';
import { verifyTimestampToken } from './timestamp';

/**
 * The export format (JSON Lines, `application/x-ndjson`), written by `GET /audit/export` and
 * read by `audit:verify`. No database, no keystore: only the lines and the certificate.
 *
 *   {"type":"anchor","format":1,"seq":A,"hash":"<hex>"}         the chain just before the first entry
 *   {"type":"entry","seq":N,...canonical fields...,"hash":"<hex>"}   one per entry, in sequence order
 *   {"type":"checkpoint","id":I,"seq":N,"head":"<hex>","at":T,"signature":"<base64>","certSha256":"<hex>"}
 *   {"type":"treeHead","format":"mynumber-vault-sth-v1","treeSize":N,"rootHash":"<hex>","at":T,"signature":"<base64>","certSha256":"<hex>"}
 *
 * The anchor is the head of a signed checkpoint (or 0 and 32 zero bytes for an export that
 * starts at the first entry), so every exported entry is bound to a signature.
 */
export const EXPORT_FORMAT = 1;

export function anchorLine(seq: number | string, hash: Buffer): string {
  return `{"type":"anchor","format":${EXPORT_FORMAT},"seq":${Number(seq) === 0 ? '0' : seqText(seq)},"hash":"${hash.toString('hex')}"}\n`;
}

/** An entry line holds exactly the canonical fields, plus the type and the stored hash (null if unsealed). */
export function entryLine(entry: ChainEntry & { hash: Buffer | null }): string {
  const hash = entry.hash ? `"${entry.hash.toString('hex')}"` : 'null';
  return `{"type":"entry",${canonicalEntry(entry).slice(1, -1)},"hash":${hash}}\n`;
}

export function checkpointLine(cp: ChainCheckpoint, certSha256: string | null): string {
  return (
    JSON.stringify({
      type: 'checkpoint',
      id: Number(cp.id),
      seq: Number(cp.seq),
      head: cp.head.toString('hex'),
      at: cp.at,
      signature: cp.signature.toString('base64'),
      certSha256,
    }) + '\n'
  );
}

/** A signed tree head (audit-tree-head.ts) whose size lies in the export's range. */
export function treeHeadLine(head: TreeHead, certSha256: string | null): string {
  return JSON.stringify({ type: 'treeHead', ...treeHeadJson(head, certSha256 ?? undefined) }) + '\n';
}

/** The RFC 3161 timestamp of a tree head: `{"type":"treeHeadTimestamp","treeSize":N,"token":"<base64 DER TimeStampToken>"}`. */
export function treeHeadTimestampLine(treeSize: number, token: Buffer): string {
  return JSON.stringify({ type: 'treeHeadTimestamp', treeSize, token: token.toString('base64') }) + '\n';
}

/** SHA-256 fingerprint of a certificate (DER), lowercase hex without separators. */
export function certificateSha256(certPem: string): string {
  return createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex');
}

const HEX64 = /^[0-9a-f]{64}$/;

function toEntry(o: Record<string, unknown>): ChainEntry {
  return {
    seq: o.seq as number,
    at: o.at as string,
    actorId: (o.actorId ?? null) as string | null,
    actorUsername: (o.actorUsername ?? null) as string | null,
    actorRoles: Array.isArray(o.actorRoles) ? (o.actorRoles as string[]) : [],
    action: o.action as string,
    subjectId: (o.subjectId ?? null) as string | null,
    purpose: (o.purpose ?? null) as string | null,
    outcome: o.outcome as string,
    requestId: (o.requestId ?? null) as string | null,
    clientAddress: (o.clientAddress ?? null) as string | null,
    details: o.details ?? {},
    hash: typeof o.hash === 'string' ? o.hash : null,
  };
}

function toCheckpoint(o: Record<string, unknown>, lineNo: number): ChainCheckpoint {
  if (typeof o.head !== 'string' || !HEX64.test(o.head) || typeof o.signature !== 'string' || typeof o.at !== 'string') {
    throw new Error(`line ${lineNo}: checkpoint is malformed`);
  }
  return { id: o.id as number, seq: o.seq as number, head: Buffer.from(o.head, 'hex'), at: o.at, signature: Buffer.from(o.signature, 'base64') };
}

async function* lines(path: string): AsyncGenerator<{ no: number; value: Record<string, unknown> }> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let no = 0;
  for await (const line of rl) {
    no++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`line ${no} is not JSON`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`line ${no} is not a JSON object`);
    yield { no, value: value as Record<string, unknown> };
  }
}

async function* entryPagesOf(path: string, size = 4096): AsyncGenerator<ChainEntry[]> {
  let page: ChainEntry[] = [];
  for await (const { value } of lines(path)) {
    if (value.type !== 'entry') continue;
    page.push(toEntry(value));
    if (page.length === size) {
      yield page;
      page = [];
    }
  }
  if (page.length) yield page;
}

export interface ExportVerifyResult extends VerifyResult {
  anchorSeq: number;
  treeHeadsChecked: number;
  /** RFC 3161 timestamps in the export, and how many were verified (with options.tsaCaPem). */
  timestamps: number;
  timestampsChecked: number;
  /** The newest verified timestamp: which head, and when the TSA saw it. */
  newestTimestamp: { treeSize: number; genTime: string } | null;
  /** The export's newest signed tree head (null when it holds none). */
  treeHead: TreeHead | null;
}

/**
 * Verifies an export file against a certificate. Two passes over the file: the first reads the
 * anchor, the checkpoints and the tree heads (they come last), the second recomputes the chain
 * entry by entry and, for an export from the first entry, the Merkle tree, checking every
 * signed tree head. `known` heads (a witness's, the auditor's last verified one) must each be
 * the export's tree or a prefix of it; they need an export from the first entry. Malformed
 * files are reported as not intact, never thrown.
 */
export async function verifyExportFile(
  path: string,
  certPem: string,
  known: KnownHead[] = [],
  options: { tsaCaPem?: string } = {},
): Promise<ExportVerifyResult> {
  const publicKey = publicKeyOfCertificate(certPem);
  const checkpoints: ChainCheckpoint[] = [];
  const heads: TreeHead[] = [];
  const stamps: { treeSize: number; token: Buffer; line: number }[] = [];
  let anchor: { seq: number; hash: Buffer } | null = null;
  const broken = (reason: string, firstBadSeq?: number): ExportVerifyResult => ({
    ok: false,
    entriesChecked: 0,
    checkpointsChecked: 0,
    treeHeadsChecked: 0,
    timestamps: stamps.length,
    timestampsChecked: 0,
    newestTimestamp: null,
    treeHead: null,
    lastSeq: 0,
    anchorSeq: anchor?.seq ?? 0,
    reason,
    ...(firstBadSeq !== undefined ? { firstBadSeq } : {}),
  });
  try {
    for await (const { no, value } of lines(path)) {
      if (value.type === 'anchor') {
        if (anchor) return broken(`line ${no}: a second anchor line`);
        if (value.format !== EXPORT_FORMAT) return broken(`line ${no}: unknown export format ${String(value.format)}`);
        if (typeof value.hash !== 'string' || !HEX64.test(value.hash) || !Number.isSafeInteger(value.seq) || (value.seq as number) < 0) {
          return broken(`line ${no}: anchor is malformed`);
        }
        anchor = { seq: value.seq as number, hash: Buffer.from(value.hash, 'hex') };
      } else if (value.type === 'checkpoint') {
        checkpoints.push(toCheckpoint(value, no));
      } else if (value.type === 'treeHead') {
        try {
          heads.push(parseTreeHead(value));
        } catch (error) {
          return broken(`line ${no}: tree head is malformed: ${(error as Error).message}`);
        }
      } else if (value.type === 'treeHeadTimestamp') {
        if (!Number.isSafeInteger(value.treeSize) || typeof value.token !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(value.token)) {
          return broken(`line ${no}: tree head timestamp is malformed`);
        }
        stamps.push({ treeSize: value.treeSize as number, token: Buffer.from(value.token, 'base64'), line: no });
      } else if (value.type !== 'entry') {
        return broken(`line ${no}: unknown line type`);
      }
    }
    if (!anchor) return broken('the export has no anchor line');
    heads.sort((a, b) => a.treeSize - b.treeSize);
    const fromStart = anchor.seq === 0;
    const first = known[0];
    if (first && !fromStart) {
      return broken(`comparing with ${first.source} (${describeHead(first)}) needs an export from the first entry (GET /audit/export without from)`);
    }
    const tree = new TreeRecomputer([...heads.map((h) => h.treeSize), ...known.map((k) => k.treeSize)]);
    const result = await verifyChainParallel(entryPagesOf(path), { publicKey, checkpoints, anchor, ...(fromStart ? { tree } : {}) });
    const newest = heads[heads.length - 1] ?? null;
    const answer: ExportVerifyResult = {
      ...result,
      anchorSeq: anchor.seq,
      treeHeadsChecked: 0,
      timestamps: stamps.length,
      timestampsChecked: 0,
      newestTimestamp: null,
      treeHead: newest,
    };
    const fail = (reason: string, firstBadSeq?: number): ExportVerifyResult => ({ ...answer, ok: false, reason, ...(firstBadSeq ? { firstBadSeq } : {}) });
    if (result.ok && options.tsaCaPem) {
      // each timestamp must be for a signed head the export holds (its signed text is what was stamped)
      for (const stamp of stamps) {
        const head = heads.find((h) => h.treeSize === stamp.treeSize);
        if (!head) return fail(`line ${stamp.line}: a timestamp for tree head ${stamp.treeSize}, which the export does not hold`);
        const check = verifyTimestampToken(stamp.token, treeHeadBytes(head), options.tsaCaPem);
        if (!check.ok) return fail(`the RFC 3161 timestamp of tree head ${stamp.treeSize} (line ${stamp.line}) does not verify: ${check.reason}`);
        answer.timestampsChecked++;
        if (!answer.newestTimestamp || stamp.treeSize > answer.newestTimestamp.treeSize)
          answer.newestTimestamp = { treeSize: stamp.treeSize, genTime: check.genTime! };
      }
    }
    if (!result.ok || !fromStart) return answer;
    if (tree.failure) return fail(tree.failure);
    const check = checkTreeHeads(heads, tree, publicKey);
    answer.treeHeadsChecked = check.checked;
    if (!check.ok) return fail(check.reason!);
    if (heads.length && newest!.treeSize !== result.lastSeq) {
      return fail(`entries ${newest!.treeSize + 1} to ${result.lastSeq} are not covered by a signed tree head`, newest!.treeSize + 1);
    }
    for (const k of known) {
      const current = newest ?? { treeSize: 0, rootHash: tree.root() };
      const reason = checkAgainstKnownHead(k, current, tree.rootAt(k.treeSize));
      if (reason) return fail(reason, current.treeSize < k.treeSize ? current.treeSize + 1 : undefined);
    }
    return answer;
  } catch (error) {
    return broken((error as Error).message);
  }
}
