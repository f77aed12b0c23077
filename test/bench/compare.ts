/**
 * `npm run bench:compare`: service CPU per reveal of two or more builds, in alternating rounds on
 * one scratch database (issue #21: each hot-path change measured on its own).
 *
 *   npm run build && cp -r dist dist-ab/before      # one build per variant, kept in the worktree
 *   (make the change) && npm run build && cp -r dist dist-ab/after
 *   BENCH_COMPARE=before=dist-ab/before,after=dist-ab/after npm run bench:compare
 *
 * Every build runs as its own process (as `npm run bench` runs the service), all at once on their
 * own ports against the same database and Redis; after a warm-up (prepared statements, JIT, the
 * session cache) each round loads every build AT THE SAME TIME for `BENCH_SECONDS`, each with
 * `BENCH_CLIENTS` clients of its own, and reads each build's CPU from /proc over the round (all its
 * threads). CPU time is less sensitive than latency to other work on a shared machine, and builds
 * measured at the same moment see the same machine (bursts one after the other did not: other
 * work on this 2-core machine changes within seconds). The answer is each build's median and
 * range, and its median ratio to the first build in the same round. (The sealers of
 * all builds share the work through their advisory lock, so a sealer change is not measured here.)
 * Settings as in run.ts: BENCH_ROUNDS (5), BENCH_SECONDS (10), BENCH_PEOPLE (2,000),
 * BENCH_NODE_FLAGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { cpuSnapshot, median } from './stats';
import { seedEmployees } from './seed';
import { freePort, startServiceProcess, stopServiceProcess } from './service-process';
import { createApp } from '../../src/app.factory';
import { validateEnv } from '../../src/config/env.schema';
import { prepareDatabase } from '../../src/database/prepare-database';
import { signIn } from '../support/staff';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 2000);
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const SIDES = (process.env.BENCH_COMPARE ?? '')
  .split(',')
  .filter(Boolean)
  .map((pair) => {
    const [name, dir] = pair.split('=');
    const entry = resolve(dir ?? '', 'src', 'main.js');
    if (!name || !existsSync(entry)) throw new Error(`BENCH_COMPARE: "${pair}" is not name=<build folder with src/main.js>`);
    return { name, entry };
  });

async function reveals(port: number, token: string, ids: string[], seconds: number) {
  let i = 0;
  const r = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CLIENTS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => ({
          ...req,
          path: `/subjects/${ids[i++ % ids.length]}/number/reveal`,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: '{"purpose":"withholding-slip"}',
        }),
      },
    ],
  });
  return { ok: r['2xx'], errors: r.errors + r.non2xx, perSecond: r.requests.average, p99: r.latency.p99 };
}

async function main(): Promise<void> {
  if (SIDES.length < 1) throw new Error('set BENCH_COMPARE=name=dist-folder[,name=dist-folder…]');
  const dbName = `mnv_bench_${Date.now()}_${randomBytes(2).toString('hex')}`;
  const url = new URL(BASE_URL);
  url.pathname = `/${dbName}`;
  Object.assign(process.env, {
    DATABASE_URL: url.toString(),
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'mnv-bench-')),
    KEYSTORE_PASSPHRASE: randomBytes(18).toString('base64'),
    REDIS_PREFIX: `mnv-bench-${randomBytes(3).toString('hex')}`,
    LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
  });
  await prepareDatabase({ DATABASE_URL: process.env.DATABASE_URL!, DATABASE_APP_ROLE: 'mynumber_app', DATABASE_POOL_SIZE: 20 });
  const owner = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, extra: { max: 4 } });
  const results: Record<string, { cpu: number[]; kernel: number[]; perSecond: number[]; p99: number[]; errors: number }> = {};
  for (const side of SIDES) results[side.name] = { cpu: [], kernel: [], perSecond: [], p99: [], errors: 0 };
  try {
    const app = await createApp(validateEnv(process.env));
    await app.init();
    await owner.initialize();
    const clerk = await signIn(app, ['clerk']);
    const ids = (await seedEmployees(app, owner, PEOPLE, 'C-')).slice(0, 1000);
    await app.close();
    // Every build runs at once, each on its own port, and the rounds alternate short bursts
    // between them: no restart between rounds, and neighbouring bursts see the same machine.
    const running: { name: string; port: number; child: ChildProcess }[] = [];
    try {
      for (const side of SIDES) {
        const port = await freePort();
        running.push({ name: side.name, port, child: await startServiceProcess(side.entry, port, NODE_FLAGS) });
      }
      for (const side of running) await reveals(side.port, clerk.token, ids, 3); // warm-up: prepared statements, JIT, the session cache
      for (let round = 0; round < ROUNDS; round++) {
        // All builds at once, each with its own clients: every build sees the same machine at the
        // same moment, which on a shared machine matters more than anything else.
        const before = running.map((side) => cpuSnapshot(side.child.pid));
        const answers = await Promise.all(running.map((side) => reveals(side.port, clerk.token, ids, SECONDS)));
        const after = running.map((side) => cpuSnapshot(side.child.pid));
        running.forEach((side, i) => {
          const [a, b, r] = [before[i]!, after[i]!, answers[i]!];
          const res = results[side.name]!;
          res.cpu.push((b.service - a.service) / Math.max(1, r.ok));
          res.kernel.push((b.serviceSystem - a.serviceSystem) / Math.max(1, r.ok));
          res.perSecond.push(r.perSecond);
          res.p99.push(r.p99);
          res.errors += r.errors;
          process.stderr.write(
            `round ${round + 1}/${ROUNDS} ${side.name}: ${res.cpu.at(-1)!.toFixed(3)} ms CPU per reveal (kernel ${res.kernel.at(-1)!.toFixed(3)}), ` +
              `${r.perSecond.toFixed(0)}/s, p99 ${r.p99} ms, ${r.errors} errors; machine ${(((b.machineBusy - a.machineBusy) / (b.machineTotal - a.machineTotal)) * 100).toFixed(0)}% busy\n`,
          );
        });
      }
    } finally {
      for (const side of running) await stopServiceProcess(side.child);
    }
  } finally {
    if (owner.isInitialized) await owner.destroy();
    const admin = new Pool({ connectionString: BASE_URL, max: 1 });
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
  const range = (v: number[], d = 3) => `${Math.min(...v).toFixed(d)}–${Math.max(...v).toFixed(d)}`;
  const first = results[SIDES[0]!.name]!;
  for (const [name, r] of Object.entries(results)) {
    // each round's ratio to the first side's burst of the same round: the pairs saw the same machine
    const paired = r.cpu.map((v, i) => v / first.cpu[i]!);
    process.stdout.write(
      `${name}: service CPU per reveal ${median(r.cpu).toFixed(3)} ms (rounds ${range(r.cpu)}; kernel ${median(r.kernel).toFixed(3)}), ` +
        `${median(r.perSecond).toFixed(0)} reveals/s (${range(r.perSecond, 0)}), p99 ${median(r.p99)} ms, ${r.errors} errors` +
        (r === first ? '\n' : `; against ${SIDES[0]!.name} round by round ${median(paired).toFixed(3)} (${range(paired)})\n`),
    );
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`compare failed: ${(error as Error).stack}\n`);
    process.exit(1);
  },
);
