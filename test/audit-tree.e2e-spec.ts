import { INestApplication } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { AuditService } from '../src/audit/audit.service';
import { createTestApp } from './support/app';
import { rfcLeaf, rfcMth, rfcPath, rfcProof } from './support/rfc9162';
import { signIn, SignedIn } from './support/staff';

/**
 * The Merkle tree over the trail (issue #17) in the run's shared database, with the app and its
 * sealer running: signed tree heads checked with plain openssl, inclusion and consistency proofs
 * from the API compared with an independent RFC 9162 implementation (test/support/rfc9162.ts,
 * written from the RFC's definitions; it imports no production code) over the leaves taken
 * from a full export, and the offline CLI's audit:proof.
 */

const run = promisify(execFile);
const ROOT = join(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'mnv-audit-tree-'));

async function tool(cmd: string, args: string[], cwd = dir): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, env: { ...process.env, LOG_LEVEL: 'silent' }, timeout: 90_000 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** The CLI from the repository, with file arguments in the test's folder. */
const cli = (...args: string[]) =>
  tool(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      'src/cli.ts',
      ...args.map((a) => (a.endsWith('.json') || a.endsWith('.pem') ? join(dir, a) : a)),
    ],
    ROOT,
  );

interface Head {
  format: string;
  treeSize: number;
  rootHash: string;
  at: string;
  signature: string;
}

const hex = (list: Buffer[]) => list.map((b) => b.toString('hex'));

describe('audit Merkle tree, signed tree heads and proofs', () => {
  let app: INestApplication;
  let auditor: SignedIn;
  let clerk: SignedIn;
  const http = () => request(app.getHttpServer());
  const auth = (who: SignedIn) => ({ Authorization: `Bearer ${who.token}` });
  /** Leaf data (canonical entries, UTF-8) by leaf index, from a full export. */
  let leaves: Buffer[] = [];
  let heads: Head[] = [];
  let latest: Head;

  beforeAll(async () => {
    app = await createTestApp();
    auditor = await signIn(app, ['auditor']);
    clerk = await signIn(app, ['clerk']);
    const audit = app.get(AuditService);
    const actor = { userId: randomUUID(), username: 'tree-e2e', roles: ['clerk' as const] };
    for (let round = 0; round < 3; round++) {
      await audit.record({
        action: 'number.revealed',
        outcome: 'success',
        actor,
        subjectId: randomUUID(),
        purpose: 'withholding-slip',
        details: { note: '木 "tree"' },
      });
      await new Promise((r) => setTimeout(r, 700)); // separate sealing rounds: several signed heads
    }
    const exported = await waitForExport();
    leaves = exported.leaves;
    heads = exported.heads;
    latest = heads[heads.length - 1]!;
    writeFileSync(join(dir, 'cert.pem'), (await http().get('/audit/certificate').set(auth(auditor)).expect(200)).text);
  });

  afterAll(async () => {
    await app?.close();
  });

  /** A full export whose newest tree head covers every exported entry (sealed just now). */
  async function waitForExport(): Promise<{ leaves: Buffer[]; heads: Head[] }> {
    for (let attempt = 0; ; attempt++) {
      const text = (await http().get('/audit/export').set(auth(auditor)).expect(200)).text;
      const lines = text.trim().split('\n');
      const entries = lines.filter((l) => l.startsWith('{"type":"entry",'));
      const found = lines.filter((l) => l.startsWith('{"type":"treeHead"')).map((l) => JSON.parse(l) as Head);
      if (found.length >= 2 && found[found.length - 1]!.treeSize === entries.length) {
        // canonical text = the entry line without its "type" and "hash" members (docs/audit.md)
        const data = entries.map((l) => Buffer.from('{' + l.slice('{"type":"entry",'.length, l.lastIndexOf(',"hash":')) + '}', 'utf8'));
        return { leaves: data, heads: found };
      }
      if (attempt > 50) throw new Error('no export with a tree head over all of its entries');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('every signed tree head is the RFC 9162 root of the exported entries, and verifies with plain openssl', async () => {
    for (const head of heads) expect(rfcMth(leaves.slice(0, head.treeSize)).toString('hex')).toBe(head.rootHash);
    writeFileSync(join(dir, 'sth.txt'), `mynumber-vault audit tree head v1\nsize=${latest.treeSize}\nroot=${latest.rootHash}\nat=${latest.at}\n`);
    writeFileSync(join(dir, 'sth.sig'), Buffer.from(latest.signature, 'base64'));
    expect((await tool('openssl', ['x509', '-in', 'cert.pem', '-pubkey', '-noout', '-out', 'pub.pem'])).code).toBe(0);
    const ok = await tool('openssl', ['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sth.sig', 'sth.txt']);
    expect(ok).toMatchObject({ code: 0, out: expect.stringContaining('Verified OK') });
    writeFileSync(join(dir, 'sth-bad.txt'), `mynumber-vault audit tree head v1\nsize=${latest.treeSize - 1}\nroot=${latest.rootHash}\nat=${latest.at}\n`);
    expect((await tool('openssl', ['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sth.sig', 'sth-bad.txt'])).code).not.toBe(0);
  });

  it('GET /audit/tree-heads/latest answers a signed head at least as large', async () => {
    const res = await http().get('/audit/tree-heads/latest').set(auth(auditor)).expect(200);
    expect(res.body).toMatchObject({ format: 'mynumber-vault-sth-v1' });
    expect(res.body.treeSize).toBeGreaterThanOrEqual(latest.treeSize);
  });

  it('inclusion proofs equal the RFC audit paths', async () => {
    const n = latest.treeSize;
    const tree = leaves.slice(0, n);
    for (const seq of new Set([1, 2, Math.ceil(n / 2), n - 1, n].filter((s) => s >= 1))) {
      const res = await http().get(`/audit/proofs/inclusion?seq=${seq}&treeSize=${n}`).set(auth(auditor)).expect(200);
      expect(res.body).toMatchObject({
        format: 'mynumber-vault-inclusion-v1',
        seq,
        leafIndex: seq - 1,
        treeSize: n,
        treeHead: { treeSize: n, rootHash: latest.rootHash },
      });
      expect(res.body.entry).toBe(tree[seq - 1]!.toString('utf8'));
      expect(res.body.leafHash).toBe(rfcLeaf(tree[seq - 1]!).toString('hex'));
      expect(res.body.path).toEqual(hex(rfcPath(seq - 1, tree)));
    }
    // default treeSize: the newest head
    const newest = await http().get('/audit/proofs/inclusion?seq=1').set(auth(auditor)).expect(200);
    expect(newest.body.treeSize).toBeGreaterThanOrEqual(n);
  });

  it('consistency proofs equal the RFC proofs, between signed heads and from any smaller size', async () => {
    const n = latest.treeSize;
    const tree = leaves.slice(0, n);
    const older = heads[heads.length - 2]!;
    for (const m of new Set([older.treeSize, 1, Math.max(1, Math.floor(n / 3)), n])) {
      const res = await http().get(`/audit/proofs/consistency?from=${m}&to=${n}`).set(auth(auditor)).expect(200);
      expect(res.body).toMatchObject({ format: 'mynumber-vault-consistency-v1', from: m, to: n, toHead: { treeSize: n, rootHash: latest.rootHash } });
      expect(res.body.proof).toEqual(hex(rfcProof(m, tree)));
    }
    const between = await http().get(`/audit/proofs/consistency?from=${older.treeSize}&to=${n}`).set(auth(auditor)).expect(200);
    expect(between.body.fromHead).toMatchObject({ treeSize: older.treeSize, rootHash: older.rootHash });
  });

  it('refuses clerks, sizes without a signed head, ranges outside the tree and malformed queries', async () => {
    await http().get('/audit/proofs/inclusion?seq=1').set(auth(clerk)).expect(403);
    await http().get('/audit/proofs/consistency?from=1').set(auth(clerk)).expect(403);
    await http().get('/audit/proofs/inclusion?seq=1').expect(401);
    const n = latest.treeSize;
    const unknownSize = (
      await http()
        .get(`/audit/proofs/inclusion?seq=1&treeSize=${n * 1000 + 7}`)
        .set(auth(auditor))
        .expect(404)
    ).body;
    expect(unknownSize.code).toBe('audit.tree-head-unknown');
    const beyond = (
      await http()
        .get(`/audit/proofs/inclusion?seq=${n + 1}&treeSize=${n}`)
        .set(auth(auditor))
        .expect(400)
    ).body;
    expect(beyond.code).toBe('audit.proof-out-of-range');
    const tooLarge = (
      await http()
        .get(`/audit/proofs/consistency?from=${n + 1}&to=${n}`)
        .set(auth(auditor))
        .expect(400)
    ).body;
    expect(tooLarge.code).toBe('audit.proof-out-of-range');
    await http().get('/audit/proofs/inclusion?seq=zero').set(auth(auditor)).expect(400);
    await http().get('/audit/proofs/consistency?from=0').set(auth(auditor)).expect(400);
  });

  it('POST /audit/verify compares with a head the auditor gives, and refuses one that does not verify', async () => {
    const given: Record<string, unknown> = { ...latest };
    delete given.type; // an export line: the head itself is the rest
    const good = await http().post('/audit/verify').set(auth(auditor)).send({ head: given }).expect(200);
    expect(good.body).toMatchObject({ ok: true, witnessedHead: { source: 'the head you gave', treeSize: latest.treeSize } });
    expect(good.body.treeSize).toBeGreaterThanOrEqual(latest.treeSize);
    const forged = { ...given, treeSize: latest.treeSize + 1 };
    const bad = await http().post('/audit/verify').set(auth(auditor)).send({ head: forged }).expect(400);
    expect(bad.body.code).toBe('audit.head-signature-invalid');
    const malformed = await http()
      .post('/audit/verify')
      .set(auth(auditor))
      .send({ head: { treeSize: 'x' } });
    expect(malformed.status).toBe(400);
  });

  it('the offline CLI (audit:proof) accepts the proofs and rejects altered ones', async () => {
    const n = latest.treeSize;
    const older = heads[heads.length - 2]!;
    const inclusion = (
      await http()
        .get(`/audit/proofs/inclusion?seq=${Math.ceil(n / 2)}&treeSize=${n}`)
        .set(auth(auditor))
        .expect(200)
    ).body;
    const consistency = (await http().get(`/audit/proofs/consistency?from=${older.treeSize}&to=${n}`).set(auth(auditor)).expect(200)).body;
    writeFileSync(join(dir, 'inclusion.json'), JSON.stringify(inclusion));
    writeFileSync(join(dir, 'consistency.json'), JSON.stringify(consistency));
    // flip the outcome, whichever it is (the entry at n/2 may be a refusal)
    const flipped = inclusion.entry.replace(
      /"outcome":"(success|refused|failure)"/,
      (_m: string, o: string) => `"outcome":"${o === 'success' ? 'refused' : 'success'}"`,
    );
    expect(flipped).not.toBe(inclusion.entry);
    const altered = { ...inclusion, entry: flipped, leafHash: undefined };
    writeFileSync(join(dir, 'inclusion-bad.json'), JSON.stringify(altered));
    writeFileSync(join(dir, 'older-head.json'), JSON.stringify(older));
    const [a, b, c] = [
      await cli('audit:proof', 'inclusion.json', '--cert', 'cert.pem'),
      await cli('audit:proof', 'consistency.json', '--cert', 'cert.pem', '--head', 'older-head.json'),
      await cli('audit:proof', 'inclusion-bad.json', '--cert', 'cert.pem'),
    ];
    expect(a).toMatchObject({ code: 0, out: expect.stringContaining('included') });
    expect(b).toMatchObject({ code: 0, out: expect.stringContaining('consistent') });
    expect(c).toMatchObject({ code: 1, out: expect.stringContaining('NOT VERIFIED') });
  }, 240_000); // three CLI processes on a shared, busy machine
});
