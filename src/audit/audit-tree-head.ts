import { KeyObject, sign, verify } from 'node:crypto';

/**
 * Signed tree heads (STH): "the audit tree of `treeSize` entries has root `rootHash`, as of `at`",
 * signed with the audit key (RSASSA-PKCS1-v1_5, SHA-256) over these ASCII bytes, each line
 * ending in LF, so plain `openssl dgst -sha256 -verify` checks one:
 *
 *   mynumber-vault audit tree head v1
 *   size=<tree size, decimal>
 *   root=<root hash, 64 lowercase hex digits>
 *   at=<signing time, canonical form (audit-chain.ts formatAuditTime)>
 *
 * The JSON form (API answers, witness files, the CLI's state file) is TreeHeadJson.
 */

export const TREE_HEAD_FORMAT = 'mynumber-vault-sth-v1';

export interface TreeHead {
  treeSize: number;
  rootHash: Buffer;
  at: string;
  signature: Buffer;
}

export interface TreeHeadJson {
  format: typeof TREE_HEAD_FORMAT;
  treeSize: number;
  rootHash: string;
  at: string;
  /** base64 */
  signature: string;
  /** SHA-256 of the signing certificate's DER, hex. */
  certSha256?: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function treeHeadBytes(head: Pick<TreeHead, 'treeSize' | 'rootHash' | 'at'>): Buffer {
  if (!Number.isSafeInteger(head.treeSize) || head.treeSize < 0) throw new Error('a tree size must be a whole number');
  if (head.rootHash.length !== 32) throw new Error('a root hash must be 32 bytes');
  if (!AT.test(head.at)) throw new Error('a tree head time must be in canonical form');
  return Buffer.from(`mynumber-vault audit tree head v1\nsize=${head.treeSize}\nroot=${head.rootHash.toString('hex')}\nat=${head.at}\n`, 'ascii');
}

export function signTreeHead(head: Pick<TreeHead, 'treeSize' | 'rootHash' | 'at'>, privateKey: KeyObject | string): Buffer {
  return sign('sha256', treeHeadBytes(head), privateKey);
}

export function verifyTreeHeadSignature(head: TreeHead, publicKey: KeyObject): boolean {
  try {
    return verify('sha256', treeHeadBytes(head), publicKey, head.signature);
  } catch {
    return false;
  }
}

export function treeHeadJson(head: TreeHead, certSha256?: string): TreeHeadJson {
  return {
    format: TREE_HEAD_FORMAT,
    treeSize: head.treeSize,
    rootHash: head.rootHash.toString('hex'),
    at: head.at,
    signature: head.signature.toString('base64'),
    ...(certSha256 ? { certSha256 } : {}),
  };
}

/** Parses the JSON form; throws with a reason when a field is missing or malformed. */
export function parseTreeHead(value: unknown): TreeHead {
  const o = value as Partial<TreeHeadJson> | null;
  if (!o || typeof o !== 'object') throw new Error('a tree head must be a JSON object');
  if (!Number.isSafeInteger(o.treeSize) || (o.treeSize as number) < 0) throw new Error('treeSize must be a whole number');
  if (typeof o.rootHash !== 'string' || !HEX64.test(o.rootHash)) throw new Error('rootHash must be 64 lowercase hex digits');
  if (typeof o.at !== 'string' || !AT.test(o.at)) throw new Error('at must be a canonical time (YYYY-MM-DDTHH:MM:SS.ffffffZ)');
  if (typeof o.signature !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(o.signature)) throw new Error('signature must be base64');
  return { treeSize: o.treeSize as number, rootHash: Buffer.from(o.rootHash, 'hex'), at: o.at, signature: Buffer.from(o.signature, 'base64') };
}

/** How a head is named in messages: size, root and time. */
export function describeHead(head: Pick<TreeHead, 'treeSize' | 'rootHash'> & { at?: string }): string {
  return `size ${head.treeSize}, root ${head.rootHash.toString('hex')}${head.at ? `, signed ${head.at}` : ''}`;
}
