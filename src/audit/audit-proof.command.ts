import { readFileSync } from 'node:fs';
import { Command, CommandRunner, Option } from 'nest-commander';
import { publicKeyOfCertificate } from './audit-chain';
import { describeHead, parseTreeHead, TreeHead, verifyTreeHeadSignature } from './audit-tree-head';
import { readHeadFile } from './audit-verify.command';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle';

const HEX64 = /^[0-9a-f]{64}$/;

function hashes(list: unknown, what: string): Buffer[] {
  if (!Array.isArray(list) || !list.every((h) => typeof h === 'string' && HEX64.test(h))) throw new Error(`${what} must be a list of 64-digit hex hashes`);
  return list.map((h: string) => Buffer.from(h, 'hex'));
}

function signedHead(value: unknown, what: string, certPem: string): TreeHead {
  const head = parseTreeHead(value);
  if (!verifyTreeHeadSignature(head, publicKeyOfCertificate(certPem))) throw new Error(`${what} (${describeHead(head)}) does not verify with the certificate`);
  return head;
}

/**
 * Checks a proof saved from GET /audit/proofs/inclusion or /audit/proofs/consistency offline,
 * with RFC 9162's verification algorithms, against the signed tree head(s) it carries (and, for
 * consistency, optionally the head you hold instead of the database's `fromHead`).
 * Returns a message; throws with the reason when the proof does not hold.
 */
export function checkProofFile(proofPath: string, certPem: string, headPath?: string): string {
  const proof = JSON.parse(readFileSync(proofPath, 'utf8')) as Record<string, unknown>;
  if (proof.format === 'mynumber-vault-inclusion-v1') {
    const head = signedHead(proof.treeHead, 'the tree head', certPem);
    if (typeof proof.entry !== 'string') throw new Error('entry must be the canonical text of the entry');
    const leaf = leafHash(proof.entry);
    if (typeof proof.leafHash === 'string' && proof.leafHash !== leaf.toString('hex')) throw new Error('leafHash is not the hash of the entry');
    const seq = Number(proof.seq);
    if (!Number.isSafeInteger(seq) || seq < 1 || JSON.parse(proof.entry).seq !== seq) throw new Error('seq does not match the entry');
    if (!verifyInclusion(leaf, seq - 1, head.treeSize, hashes(proof.path, 'path'), head.rootHash)) {
      throw new Error(`entry ${seq} is NOT in the tree of ${describeHead(head)}: the inclusion proof does not verify`);
    }
    return `included: entry ${seq} is in the signed tree of ${describeHead(head)}`;
  }
  if (proof.format === 'mynumber-vault-consistency-v1') {
    const to = signedHead(proof.toHead, 'toHead', certPem);
    const from = headPath ? readHeadFile(headPath, certPem) : proof.fromHead ? signedHead(proof.fromHead, 'fromHead', certPem) : null;
    if (!from) throw new Error('the proof carries no signed head of the older size: give the one you hold with --head');
    if (from.treeSize !== Number(proof.from)) throw new Error(`the proof starts at size ${String(proof.from)}, your head has size ${from.treeSize}`);
    if (!verifyConsistency(from.treeSize, to.treeSize, from.rootHash, to.rootHash, hashes(proof.proof, 'proof'))) {
      throw new Error(`the tree of ${describeHead(to)} is NOT an extension of ${describeHead(from)}: the consistency proof does not verify`);
    }
    return `consistent: the tree of ${describeHead(to)} extends ${describeHead(from)}`;
  }
  throw new Error('not a proof from GET /audit/proofs/inclusion or /audit/proofs/consistency');
}

export function runAuditProof(proofPath: string | undefined, options: { cert?: string; head?: string }, out = process.stdout, err = process.stderr): number {
  if (!proofPath || !options.cert) {
    err.write('usage: audit:proof <proof.json> --cert <certificate.pem> [--head <head.json>]\n');
    return 1;
  }
  try {
    out.write(checkProofFile(proofPath, readFileSync(options.cert, 'utf8'), options.head) + '\n');
    return 0;
  } catch (error) {
    out.write(`NOT VERIFIED: ${(error as Error).message}\n`);
    return 1;
  }
}

@Command({
  name: 'audit:proof',
  arguments: '<proof.json>',
  description: 'Verify an inclusion or consistency proof (GET /audit/proofs/...) offline against the signing certificate; exit 0 only when it holds',
})
export class AuditProofCommand extends CommandRunner {
  async run(params: string[], options: { cert?: string; head?: string } = {}): Promise<void> {
    process.exitCode = runAuditProof(params[0], options);
  }

  @Option({ flags: '--cert <certificate.pem>', description: 'PEM certificate from GET /audit/certificate', required: true })
  parseCert(value: string): string {
    return value;
  }

  @Option({ flags: '--head <head.json>', description: 'consistency: the older head you hold (e.g. from a witness) instead of the proof’s fromHead' })
  parseHead(value: string): string {
    return value;
  }
}
