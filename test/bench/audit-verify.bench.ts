/**
 * Audit chain verification speed: 1,000,000 synthetic entries, sealed with checkpoints every
 * 5,000 entries (as the sealer does), then verified the way POST /audit/verify and the offline
 * CLI do (recompute every hash, check every checkpoint signature).
 *
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register test/bench/audit-verify.bench.ts [entries] [--db]
 *
 * In memory by default. With --db it also loads the entries into a scratch database it creates
 * and drops (BENCH_DATABASE_URL, default the local server) and times the database verification
 * as the application role, reading pages of 10,000.
 *
 * Target (issue 5): at least 300,000 entries per second on the 2-core build machine (in memory).
 */
import 'reflect-metadata';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { canonicalEntry, entryHash, ChainCheckpoint, ChainEntry, formatAuditTime, signCheckpoint, ZERO_HASH } from '../../src/audit/audit-chain';
import { signTreeHead, TreeHead } from '../../src/audit/audit-tree-head';
import { checkTreeHeads, TreeRecomputer } from '../../src/audit/audit-tree-verify';
import { CompactRange, leafHash } from '../../src/audit/merkle';
import { pagesOf, verifyChainParallel } from '../../src/audit/audit-chain-parallel';
import { AuditVerifyService } from '../../src/audit/audit-verify.service';
import { makeSigningCertificate } from '../../src/crypto/keystore';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { prepareDatabase } from '../../src/database/prepare-database';

const ACTIONS = ['number.revealed', 'number.revealed', 'number.bulk-retrieved', 'auth.login', 'number.stored', 'number.reveal-refused'];
const PURPOSES = ['withholding-slip', 'health-pension', 'employment-insurance', null];

export interface AuditVerifyBench {
  entries: number;
  checkpoints: number;
  seconds: number;
  entriesPerSecond: number;
  /** CPU time of the whole process (every thread) during the run, and entries per CPU-second: less at the mercy of other load than the wall clock. */
  cpuSeconds: number;
  entriesPerCpuSecond: number;
  /** The machine's 1-minute load average at the end (2 cores: above 2 means others were waiting too). */
  loadAverage: number;
}

/** Wall and CPU clocks of one timed run. */
function timer(): (count: number, checkpoints: number) => AuditVerifyBench {
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  return (count, checkpoints) => {
    const seconds = Number(process.hrtime.bigint() - wall) / 1e9;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    return {
      entries: count,
      checkpoints,
      seconds,
      entriesPerSecond: Math.round(count / seconds),
      cpuSeconds,
      entriesPerCpuSecond: Math.round(count / cpuSeconds),
      loadAverage: loadavg()[0]!,
    };
  };
}

export interface SyntheticChain {
  entries: ChainEntry[];
  checkpoints: ChainCheckpoint[];
  /** A signed tree head at every checkpoint (as the sealer writes them). */
  treeHeads: TreeHead[];
  publicKey: ReturnType<typeof generateKeyPairSync>['publicKey'];
  certPem: string;
}

/** Builds `count` sealed entries (database shape: text seq, Buffer hash) and their signed checkpoints. */
export function syntheticChain(count: number, checkpointEvery = 5000): SyntheticChain {
  const keys = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const certPem = makeSigningCertificate(privatePem, keys.publicKey.export({ type: 'spki', format: 'pem' }) as string, 'bench');
  const actors = Array.from({ length: 50 }, (_, i) => ({ id: randomUUID(), username: `clerk${String(i).padStart(2, '0')}` }));
  const subjects = Array.from({ length: 10_000 }, () => randomUUID());
  const entries: ChainEntry[] = new Array(count);
  const checkpoints: ChainCheckpoint[] = [];
  const treeHeads: TreeHead[] = [];
  const tree = new CompactRange();
  const start = Date.parse('2025-01-06T00:00:00Z');
  let prev = ZERO_HASH;
  for (let i = 0; i < count; i++) {
    const seq = i + 1;
    const actor = actors[i % actors.length]!;
    const action = ACTIONS[i % ACTIONS.length]!;
    const entry: ChainEntry = {
      seq: String(seq),
      at: formatAuditTime(new Date(start + i * 37)),
      actorId: actor.id,
      actorUsername: actor.username,
      actorRoles: ['clerk'],
      action,
      subjectId: action === 'auth.login' ? null : subjects[i % subjects.length]!,
      purpose: action.startsWith('number.') ? PURPOSES[i % PURPOSES.length]! : null,
      outcome: action === 'number.reveal-refused' ? 'refused' : 'success',
      requestId: randomUUID(),
      clientAddress: '10.0.' + (i % 250) + '.' + (i % 200),
      details: i % 10 === 0 ? { count: i % 500, batch: { index: i % 7, of: 7 } } : i % 3 === 0 ? { reason: 'purpose-not-notified' } : {},
    };
    prev = entryHash(prev, entry);
    entry.hash = prev;
    tree.append(leafHash(canonicalEntry(entry)));
    entries[i] = entry;
    if (seq % checkpointEvery === 0 || seq === count) {
      const cp = { id: checkpoints.length + 1, seq: String(seq), head: prev, at: formatAuditTime(new Date(start + i * 37 + 500)), signature: ZERO_HASH };
      cp.signature = signCheckpoint(cp, keys.privateKey);
      checkpoints.push(cp);
      const th = { treeSize: seq, rootHash: tree.root(), at: cp.at, signature: ZERO_HASH };
      th.signature = signTreeHead(th, keys.privateKey);
      treeHeads.push(th);
    }
  }
  return { entries, checkpoints, treeHeads, publicKey: keys.publicKey, certPem };
}

/** In-memory verification of `count` entries (the figure in docs/performance.md). */
export async function benchAuditVerify(count = 1_000_000, chain = syntheticChain(count)): Promise<AuditVerifyBench> {
  const { entries, checkpoints, publicKey } = chain;
  await verifyChainParallel(pagesOf(entries.slice(0, 50_000)), { publicKey, checkpoints: checkpoints.slice(0, 10) }); // warm up
  const done = timer();
  const result = await verifyChainParallel(pagesOf(entries), { publicKey, checkpoints });
  const measured = done(count, checkpoints.length);
  if (!result.ok || result.entriesChecked !== count) throw new Error(`benchmark chain did not verify: ${result.reason}`);
  return measured;
}

/** The same with the Merkle tree recomputed from the entries and every signed tree head checked (what verify does since issue #17). */
export async function benchAuditVerifyWithTree(count = 1_000_000, chain = syntheticChain(count)): Promise<AuditVerifyBench> {
  const { entries, checkpoints, treeHeads, publicKey } = chain;
  const warm = new TreeRecomputer([]);
  await verifyChainParallel(pagesOf(entries.slice(0, 50_000)), { publicKey, checkpoints: checkpoints.slice(0, 10), tree: warm }); // warm up
  const done = timer();
  const tree = new TreeRecomputer(treeHeads.map((h) => h.treeSize));
  const result = await verifyChainParallel(pagesOf(entries), { publicKey, checkpoints, tree });
  const heads = checkTreeHeads(treeHeads, tree, publicKey);
  const measured = done(count, checkpoints.length);
  if (!result.ok || !heads.ok || heads.checked !== treeHeads.length) throw new Error(`benchmark tree did not verify: ${result.reason ?? heads.reason}`);
  return measured;
}

/** The same entries in a scratch database, verified by AuditVerifyService as the application role. */
export async function benchAuditVerifyDatabase(chain: SyntheticChain): Promise<AuditVerifyBench> {
  const url = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/mnv_bench_audit_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const env = { DATABASE_URL: url.toString(), DATABASE_APP_ROLE: process.env.DATABASE_APP_ROLE ?? 'mynumber_app', DATABASE_POOL_SIZE: 4 };
  await prepareDatabase(env);
  const owner = new Client({ connectionString: env.DATABASE_URL });
  await owner.connect();
  let app: DataSource | null = null;
  try {
    for (const page of pagesOf(chain.entries, 10_000)) {
      await owner.query(
        `INSERT INTO audit_entry (seq, at, actor_id, actor_username, actor_roles, action, subject_id, purpose, outcome, request_id, client_address, details, hash)
         SELECT seq, at, actor_id, actor_username, roles::text[], action, subject_id, purpose, outcome, request_id, client_address, details::jsonb, hash
         FROM unnest($1::bigint[], $2::timestamptz[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::text[], $9::text[],
                     $10::text[], $11::text[], $12::text[], $13::bytea[])
           AS t(seq, at, actor_id, actor_username, roles, action, subject_id, purpose, outcome, request_id, client_address, details, hash)`,
        [
          page.map((e) => e.seq),
          page.map((e) => e.at),
          page.map((e) => e.actorId),
          page.map((e) => e.actorUsername),
          page.map((e) => `{${e.actorRoles.join(',')}}`),
          page.map((e) => e.action),
          page.map((e) => e.subjectId),
          page.map((e) => e.purpose),
          page.map((e) => e.outcome),
          page.map((e) => e.requestId),
          page.map((e) => e.clientAddress),
          page.map((e) => JSON.stringify(e.details)),
          page.map((e) => e.hash),
        ],
      );
    }
    for (const cp of chain.checkpoints) {
      await owner.query(`INSERT INTO audit_checkpoint (last_seq, head_hash, signed_at, signature, cert_sha256) VALUES ($1, $2, $3, $4, 'bench')`, [
        cp.seq,
        cp.head,
        cp.at,
        cp.signature,
      ]);
    }
    // the tree as the sealer stores it: every complete subtree, and a signed head per round
    const levels: number[] = [];
    const indexes: string[] = [];
    const hashes: Buffer[] = [];
    const flush = async () => {
      await owner.query(`INSERT INTO audit_tree_node (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])`, [
        levels,
        indexes,
        hashes,
      ]);
      levels.length = indexes.length = hashes.length = 0;
    };
    const tree = new CompactRange();
    for (const entry of chain.entries) {
      tree.append(leafHash(canonicalEntry(entry)), (level, index, hash) => {
        levels.push(level);
        indexes.push(String(index));
        hashes.push(hash);
      });
      if (levels.length >= 20_000) await flush();
    }
    await flush();
    for (const th of chain.treeHeads) {
      await owner.query(`INSERT INTO audit_tree_head (tree_size, root_hash, signed_at, signature, cert_sha256) VALUES ($1, $2, $3, $4, 'bench')`, [
        th.treeSize,
        th.rootHash,
        th.at,
        th.signature,
      ]);
    }
    await owner.query('VACUUM ANALYZE audit_entry');
    app = new DataSource(dataSourceOptions(env, 'app'));
    await app.initialize();
    const verify = new AuditVerifyService(app, null as never, null as never, { latestWitnessedHead: () => null } as never, null as never);
    const done = timer();
    const result = await verify.verifyDatabase(app, chain.certPem);
    const measured = done(chain.entries.length, chain.checkpoints.length);
    if (!result.ok || result.entriesChecked !== chain.entries.length) throw new Error(`database chain did not verify: ${result.reason}`);
    return measured;
  } finally {
    await app?.destroy();
    await owner.end();
    const admin = new Client({ connectionString: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${url.pathname.slice(1)}" WITH (FORCE)`);
    await admin.end();
  }
}

function line(label: string, r: AuditVerifyBench): string {
  return (
    `${label}: ${r.entries.toLocaleString('en')} entries, ${r.checkpoints} checkpoints in ${r.seconds.toFixed(2)} s = ` +
    `${r.entriesPerSecond.toLocaleString('en')} entries/s; ${r.cpuSeconds.toFixed(2)} CPU-s = ${r.entriesPerCpuSecond.toLocaleString('en')} entries per CPU-second; ` +
    `load average ${r.loadAverage.toFixed(1)} on ${cpus().length} cores\n`
  );
}

if (require.main === module) {
  // npm run bench:verify [-- entries] [--db]: prints the figures and writes test/bench/results/audit-verify.json
  const args = process.argv.slice(2);
  const count = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
  (async () => {
    const chain = syntheticChain(count);
    const memory = await benchAuditVerify(count, chain);
    process.stdout.write(line('audit verify, chain only (in memory, target 300,000/s)', memory));
    const withTree = await benchAuditVerifyWithTree(count, chain);
    process.stdout.write(line('audit verify, chain + Merkle tree (in memory, issue #17 target 600,000/s)', withTree));
    const database = args.includes('--db') ? await benchAuditVerifyDatabase(chain) : null;
    if (database) process.stdout.write(line('audit verify (database, app role)', database));
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
    const out = join(__dirname, 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, 'audit-verify.json'),
      JSON.stringify({ at: new Date().toISOString(), machine, chainOnly: memory, chainAndTree: withTree, database }, null, 2) + '\n',
    );
    process.exitCode = memory.entriesPerSecond >= 300_000 ? 0 : 1;
  })().catch((error: Error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(2);
  });
}
