import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatAuditTime } from './audit-chain';
import { signTreeHead, treeHeadJson } from './audit-tree-head';
import { appendWitnessHead, readAllWitnessHeads, scanWitnessDirectory, witnessFileName } from './witness-directory';

const ROOT = resolve(__dirname, '../..');
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function head(treeSize: number) {
  const h = { treeSize, rootHash: Buffer.alloc(32, treeSize % 251), at: formatAuditTime(new Date()), signature: Buffer.alloc(0) };
  h.signature = signTreeHead(h, privateKey);
  return treeHeadJson(h, 'ab'.repeat(32));
}

/** A writer process appending signed heads as fast as it can, through the production appendWitnessHead. */
const WRITER = `
const { createPrivateKey } = require('node:crypto');
const { appendWitnessHead } = require('./src/audit/witness-directory');
const { signTreeHead, treeHeadJson } = require('./src/audit/audit-tree-head');
const { formatAuditTime } = require('./src/audit/audit-chain');
const key = createPrivateKey(process.env.WITNESS_KEY);
let size = Number(process.env.WITNESS_FROM);
process.stdout.write('ready\\n');
for (;;) {
  size++;
  const h = { treeSize: size, rootHash: Buffer.alloc(32, size % 251), at: formatAuditTime(new Date()), signature: Buffer.alloc(0) };
  h.signature = signTreeHead(h, key);
  appendWitnessHead(process.env.WITNESS_DIR, treeHeadJson(h));
}
`;

async function killWriterMidWrite(dir: string, from: number): Promise<void> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', WRITER], {
    cwd: ROOT,
    env: { ...process.env, WITNESS_KEY: privatePem, WITNESS_DIR: dir, WITNESS_FROM: String(from), TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((res, rej) => {
    child.stdout!.once('data', () => res());
    child.once('exit', (code) => rej(new Error(`writer exited early (${code})`)));
  });
  await new Promise((r) => setTimeout(r, 150 + Math.random() * 250));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}

describe('witness directory', () => {
  it('appends one fsync’d line per head to one file a day and reads back the newest that verifies', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnv-witness-'));
    appendWitnessHead(dir, head(5), new Date('2026-12-01T23:59:59Z'));
    appendWitnessHead(dir, head(9), new Date('2026-12-02T00:00:01Z'));
    appendWitnessHead(dir, head(12), new Date('2026-12-02T10:00:00Z'));
    expect(readdirSync(dir).sort()).toEqual(['sth-2026-12-01.jsonl', 'sth-2026-12-02.jsonl']);
    expect(scanWitnessDirectory(dir, publicKey).latest).toMatchObject({ treeSize: 12, file: 'sth-2026-12-02.jsonl', line: 2 });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    expect(scanWitnessDirectory(dir, other).latest).toBeNull(); // heads signed by another key never count
  });

  it('a torn last line never verifies, stays on its own line, and the next append is whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnv-witness-torn-'));
    const now = new Date();
    appendWitnessHead(dir, head(1), now);
    const whole = JSON.stringify(head(2));
    appendFileSync(join(dir, witnessFileName(now)), whole.slice(0, whole.length - 7)); // a crash mid-write
    expect(scanWitnessDirectory(dir, publicKey)).toMatchObject({ latest: { treeSize: 1 }, rejected: [`${witnessFileName(now)}:2`] });
    appendWitnessHead(dir, head(3), now);
    const lines = readFileSync(join(dir, witnessFileName(now)), 'utf8').split('\n');
    expect(lines).toHaveLength(4); // head 1, the fragment, head 3, and the final newline
    expect(scanWitnessDirectory(dir, publicKey).latest).toMatchObject({ treeSize: 3, line: 3 });
  });

  it('SIGKILL while appending, three times: every line either verifies whole or is rejected, never a torn head that verifies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnv-witness-kill-'));
    let from = 0;
    for (let round = 0; round < 3; round++) {
      await killWriterMidWrite(dir, from);
      const { heads, rejected } = readAllWitnessHeads(dir, publicKey);
      expect(heads.length).toBeGreaterThan(from);
      // whatever the kill left: the newest head that verifies is a complete, correctly signed one
      const latest = scanWitnessDirectory(dir, publicKey).latest!;
      expect(latest.treeSize).toBe(heads[heads.length - 1]!.treeSize);
      expect(latest.rootHash).toEqual(Buffer.alloc(32, latest.treeSize % 251));
      // sizes are consecutive: nothing verified was lost or duplicated from the middle
      heads.forEach((h, i) => expect(h.treeSize).toBe(i + 1));
      // rejected lines can only be a torn tail (the last line of a file)
      for (const where of rejected) {
        const [file, line] = where.split(':');
        const text = readFileSync(join(dir, file!), 'utf8').split('\n');
        expect(Number(line)).toBeGreaterThanOrEqual(text.length - 2);
      }
      // and a fresh writer after the crash appends whole lines again
      from = latest.treeSize;
      appendWitnessHead(dir, head(++from));
      expect(scanWitnessDirectory(dir, publicKey).latest!.treeSize).toBe(from);
    }
  }, 180_000);
});
