import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { canonicalEntry } from './audit-chain';
import { entriesAfter, Queryable } from './audit-sql';
import { TreeHeadJson, treeHeadJson } from './audit-tree-head';
import { fetchNodes, latestTreeHead, TreeHeadRow, treeHeadOfSize } from './audit-tree.repository';
import { consistencyPath, inclusionPath, leafHash, NodeLookup, nodeKey, nodesFor } from './merkle';

export interface InclusionProof {
  format: 'mynumber-vault-inclusion-v1';
  seq: number;
  leafIndex: number;
  treeSize: number;
  /** The entry's canonical form (the leaf is SHA-256(0x00 || this text as UTF-8)). */
  entry: string;
  leafHash: string;
  /** Sibling hashes from the leaf up (RFC 9162 §2.1.3.1), hex. */
  path: string[];
  treeHead: TreeHeadJson;
}

export interface ConsistencyProof {
  format: 'mynumber-vault-consistency-v1';
  from: number;
  to: number;
  /** RFC 9162 §2.1.4.1 PROOF(from, D[to]), hex. */
  proof: string[];
  /** The signed head of size `from`, when the database has one. */
  fromHead: TreeHeadJson | null;
  toHead: TreeHeadJson;
}

/** Inclusion and consistency proofs from the stored subtree hashes (never the whole log). */
@Injectable()
export class AuditProofsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async inclusion(seq: number, treeSize?: number): Promise<InclusionProof> {
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const head = await this.signedHead(m, treeSize);
      if (seq > head.treeSize) {
        throw new BadRequestException({
          code: 'audit.proof-out-of-range',
          message: `entry ${seq} is not in the tree of size ${head.treeSize}; ask for a larger treeSize or a smaller seq`,
        });
      }
      const [row] = await entriesAfter(m, String(seq - 1), String(seq), 1);
      if (!row || Number(row.seq) !== seq) throw new ConflictException({ code: 'audit.tree-incomplete', message: `entry ${seq} is missing from the database` });
      const text = canonicalEntry(row);
      const path = await this.compute(m, (lookup) => inclusionPath(lookup, seq - 1, head.treeSize));
      return {
        format: 'mynumber-vault-inclusion-v1',
        seq,
        leafIndex: seq - 1,
        treeSize: head.treeSize,
        entry: text,
        leafHash: leafHash(text).toString('hex'),
        path: path.map((h) => h.toString('hex')),
        treeHead: treeHeadJson(head, head.certSha256),
      };
    });
  }

  async consistency(from: number, to?: number): Promise<ConsistencyProof> {
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const toHead = await this.signedHead(m, to);
      if (from > toHead.treeSize) {
        throw new BadRequestException({
          code: 'audit.proof-out-of-range',
          message: `the tree has ${toHead.treeSize} entries, fewer than from=${from}: the trail is smaller than the head you hold`,
        });
      }
      const fromHead = await treeHeadOfSize(m, from);
      const proof = await this.compute(m, (lookup) => consistencyPath(lookup, from, toHead.treeSize));
      return {
        format: 'mynumber-vault-consistency-v1',
        from,
        to: toHead.treeSize,
        proof: proof.map((h) => h.toString('hex')),
        fromHead: fromHead ? treeHeadJson(fromHead, fromHead.certSha256) : null,
        toHead: treeHeadJson(toHead, toHead.certSha256),
      };
    });
  }

  /** A consistency proof as raw hashes (for POST /audit/verify), in the caller's transaction. */
  async consistencyPath(q: Queryable, from: number, to: number): Promise<Buffer[]> {
    return this.compute(q, (lookup) => consistencyPath(lookup, from, to));
  }

  private async signedHead(q: Queryable, treeSize?: number): Promise<TreeHeadRow> {
    const head = treeSize === undefined ? await latestTreeHead(q) : await treeHeadOfSize(q, treeSize);
    if (!head) {
      throw new NotFoundException({
        code: 'audit.tree-head-unknown',
        message:
          treeSize === undefined
            ? 'no signed tree head yet: wait for the sealer (about a second)'
            : `no signed tree head of size ${treeSize}; use the size of a signed head (GET /audit/tree-heads/latest)`,
      });
    }
    return head;
  }

  /** Runs a proof computation twice: once to learn which stored nodes it reads, once with them. */
  private async compute<T>(q: Queryable, fn: (lookup: NodeLookup) => T): Promise<T> {
    const refs = nodesFor(fn);
    const nodes = await fetchNodes(q, refs);
    return fn((level, index) => {
      const hash = nodes.get(nodeKey(level, index));
      if (!hash)
        throw new ConflictException({ code: 'audit.tree-incomplete', message: `the stored tree lacks node ${level}/${index}: run POST /audit/verify` });
      return hash;
    });
  }
}
