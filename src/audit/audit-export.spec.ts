import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { makeSigningCertificate } from '@/crypto/keystore';
import { canonicalEntry, chainHash, ChainCheckpoint, ChainEntry, signCheckpoint, ZERO_HASH } from './audit-chain';
import { anchorLine, checkpointLine, entryLine, verifyExportFile } from './audit-export';
import { runAuditVerify } from './audit-verify.command';

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const certPem = makeSigningCertificate(privateKey, publicKey, 'test');
const dir = mkdtempSync(join(tmpdir(), 'audit-export-spec-'));
const certPath = join(dir, 'cert.pem');
writeFileSync(certPath, certPem);

function exportText(n: number): string {
  let prev = ZERO_HASH;
  let text = anchorLine(0, ZERO_HASH);
  const cps: ChainCheckpoint[] = [];
  for (let seq = 1; seq <= n; seq++) {
    const e: ChainEntry = {
      seq: String(seq),
      at: '2025-04-01T01:02:03.456000Z',
      actorId: null,
      actorUsername: seq % 2 ? '山田' : 'clerk "two"',
      actorRoles: ['clerk', 'auditor'],
      action: 'number.revealed',
      subjectId: null,
      purpose: 'withholding-slip',
      outcome: 'success',
      requestId: null,
      clientAddress: '::1',
      details: { n: seq, nested: { b: [1, 'x'], a: null } },
    };
    prev = chainHash(prev, canonicalEntry(e));
    text += entryLine({ ...e, hash: prev });
    if (seq % 4 === 0 || seq === n) {
      const cp = { id: cps.length + 1, seq, head: prev, at: '2025-04-01T01:02:04.000000Z', signature: Buffer.alloc(0) };
      cp.signature = signCheckpoint(cp, privateKey);
      cps.push(cp);
    }
  }
  return text + cps.map((cp) => checkpointLine(cp, null)).join('');
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function sink(): Writable & { text: string } {
  const s = new Writable({
    write(chunk, _enc, done) {
      s.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  s.text = '';
  return s;
}

describe('export file verification', () => {
  const good = exportText(10);

  it('accepts an intact export', async () => {
    expect(await verifyExportFile(file('good.ndjson', good), certPem)).toMatchObject({ ok: true, entriesChecked: 10, checkpointsChecked: 3 });
    const out = sink();
    expect(await runAuditVerify(join(dir, 'good.ndjson'), certPath, out, sink())).toBe(0);
    expect(out.text).toMatch(/^intact: 10 entries/);
  });

  it('names a changed field, a removed line and swapped lines', async () => {
    const lines = good.split('\n');
    const changed = [...lines];
    changed[5] = changed[5]!.replace('"outcome":"success"', '"outcome":"refused"');
    expect((await verifyExportFile(file('changed.ndjson', changed.join('\n')), certPem)).firstBadSeq).toBe(5);
    const removed = lines.filter((_, i) => i !== 7);
    expect((await verifyExportFile(file('removed.ndjson', removed.join('\n')), certPem)).firstBadSeq).toBe(7);
    const swapped = [...lines];
    [swapped[3], swapped[4]] = [swapped[4]!, swapped[3]!];
    expect((await verifyExportFile(file('swapped.ndjson', swapped.join('\n')), certPem)).firstBadSeq).toBe(3);
    const out = sink();
    expect(await runAuditVerify(join(dir, 'changed.ndjson'), certPath, out, sink())).toBe(1);
    expect(out.text).toMatch(/first bad entry 5/);
  });

  it('refuses a changed checkpoint, a missing anchor and garbage', async () => {
    const cpChanged = good.replace(/"at":"2025-04-01T01:02:04.000000Z"/, '"at":"2025-04-01T01:02:05.000000Z"');
    expect((await verifyExportFile(file('cp.ndjson', cpChanged), certPem)).ok).toBe(false);
    expect((await verifyExportFile(file('noanchor.ndjson', good.split('\n').slice(1).join('\n')), certPem)).ok).toBe(false);
    expect((await verifyExportFile(file('garbage.ndjson', good + '{not json\n'), certPem)).ok).toBe(false);
    expect(await runAuditVerify(join(dir, 'absent.ndjson'), certPath, sink(), sink())).toBe(1);
  });

  it('keeps the line fields equal to the canonical form', () => {
    const line = good.split('\n')[1];
    expect(readFileSync(join(dir, 'good.ndjson'), 'utf8').split('\n')[1]).toBe(line);
    expect(JSON.parse(line!)).toMatchObject({ type: 'entry', seq: 1, actorUsername: '山田', details: { n: 1 } });
  });
});
