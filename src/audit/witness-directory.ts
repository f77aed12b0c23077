import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, fstatSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { KeyObject } from 'node:crypto';
import { parseTreeHead, TreeHead, TreeHeadJson, verifyTreeHeadSignature } from './audit-tree-head';

/**
 * The directory witness: signed tree heads appended to one file a day, `sth-YYYY-MM-DD.jsonl`
 * (UTC), one JSON line per head, each write followed by fsync (and the directory fsync'd when
 * a day's file is created). Meant for another volume than the database's, ideally one the
 * database's owner cannot write.
 *
 * Crash safety: a head is one write(2) of one line. If a process dies part-way (SIGKILL, power
 * loss) the file may end in a partial line; the next append starts with a newline so that
 * fragment stays a line of its own, and readers only accept a line that parses AND whose
 * signature verifies. A torn head therefore never verifies; it is skipped.
 *
 * No Nest, no database: the offline CLI reads the same files.
 */

const FILE = /^sth-(\d{4}-\d{2}-\d{2})\.jsonl$/;

export function witnessFileName(at: Date): string {
  return `sth-${at.toISOString().slice(0, 10)}.jsonl`;
}

/** Appends one head durably. Returns the file written. */
export function appendWitnessHead(dir: string, head: TreeHeadJson, now: Date = new Date()): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, witnessFileName(now));
  const fd = openSync(path, 'a+');
  try {
    const size = fstatSync(fd).size;
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n'; // a torn line from a crash: keep it on its own line
    }
    writeSync(fd, prefix + JSON.stringify(head) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (!existsBefore.has(path)) {
    existsBefore.add(path);
    fsyncDirectory(dir);
  }
  return path;
}

const existsBefore = new Set<string>();

/**
 * The RFC 3161 token of a head (DER), next to the day's heads as `sth-YYYY-MM-DD.<size>.tst`:
 * written to a temporary name, fsync'd and renamed, so a crash leaves the whole token or none.
 * `openssl ts -verify -token_in -in <file> -data <the head's signed text> -CAfile <TSA CA>` checks it.
 */
export function writeWitnessTimestamp(dir: string, treeSize: number, token: Buffer, now: Date = new Date()): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${witnessFileName(now).replace(/\.jsonl$/, '')}.${treeSize}.tst`);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, token);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDirectory(dir);
  return path;
}

function fsyncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* some file systems cannot fsync a directory; the file itself is synced */
  }
}

export interface WitnessedHead extends TreeHead {
  file: string;
  line: number;
}

export interface WitnessScan {
  /** The newest head that parses and verifies (the last valid line of the newest file holding one). */
  latest: WitnessedHead | null;
  /** Lines that did not parse or verify (torn writes, tampering), as file:line. */
  rejected: string[];
}

/**
 * The newest head in the directory: the last line that parses and verifies, in the newest file
 * holding one (the vault appends only heads that extend the previous one, so it is also the
 * largest). Lines passed over on the way (torn writes, tampering) are listed as rejected.
 */
export function scanWitnessDirectory(dir: string, publicKey: KeyObject): WitnessScan {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => FILE.test(f))
      .sort()
      .reverse();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { latest: null, rejected: [] };
    throw error;
  }
  const rejected: string[] = [];
  for (const file of files) {
    const found = newestInFile(join(dir, file), file, publicKey, rejected);
    if (found) return { latest: found, rejected };
  }
  return { latest: null, rejected };
}

const TAIL_BYTES = 64 * 1024;

/** The file's last line that verifies: from its last 64 KiB first (a day's file grows large), the whole file if need be. */
function newestInFile(path: string, file: string, publicKey: KeyObject, rejected: string[]): WitnessedHead | null {
  const fd = openSync(path, 'r');
  let text: string;
  let tailOnly = false;
  try {
    const size = fstatSync(fd).size;
    if (size > TAIL_BYTES) {
      const buf = Buffer.alloc(TAIL_BYTES);
      readSync(fd, buf, 0, TAIL_BYTES, size - TAIL_BYTES);
      text = buf.toString('utf8');
      text = text.slice(text.indexOf('\n') + 1); // the first line of the tail may be cut
      tailOnly = true;
    } else {
      text = readFileSync(fd, 'utf8');
    }
  } finally {
    closeSync(fd);
  }
  const lines = text.split('\n');
  const seen: string[] = [];
  for (let i = lines.length - 1; i >= 0; i--) {
    const text = lines[i] ?? '';
    if (text.trim() === '') continue;
    const head = parseVerified(text, publicKey);
    if (head) {
      rejected.push(...seen);
      // line numbers count from the file's start: count the lines before the tail only when needed
      const trailing = lines[lines.length - 1] === '' ? 1 : 0;
      const line = tailOnly ? countLines(path) - (lines.length - 1 - i) + trailing : i + 1;
      return { ...head, file, line };
    }
    seen.push(`${file}:${tailOnly ? 'end-' + (lines.length - 1 - i) : i + 1}`);
  }
  if (tailOnly) return newestInWholeFile(path, file, publicKey, rejected);
  rejected.push(...seen);
  return null;
}

function newestInWholeFile(path: string, file: string, publicKey: KeyObject, rejected: string[]): WitnessedHead | null {
  const lines = readFileSync(path, 'utf8').split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const text = lines[i] ?? '';
    if (text.trim() === '') continue;
    const head = parseVerified(text, publicKey);
    if (head) return { ...head, file, line: i + 1 };
    rejected.push(`${file}:${i + 1}`);
  }
  return null;
}

/** Lines in a file, counting a last line without its newline (as split('\n') does, minus the empty tail). */
function countLines(path: string): number {
  const buf = readFileSync(path);
  let n = 0;
  for (let i = 0; i < buf.length; i++) if (buf[i] === 0x0a) n++;
  return buf.length > 0 && buf[buf.length - 1] !== 0x0a ? n + 1 : n;
}

/** Every head in the directory, in file and line order, with the lines that do not verify. */
export function readAllWitnessHeads(dir: string, publicKey: KeyObject): { heads: WitnessedHead[]; rejected: string[] } {
  const files = readdirSync(dir)
    .filter((f) => FILE.test(f))
    .sort();
  const heads: WitnessedHead[] = [];
  const rejected: string[] = [];
  for (const file of files) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    lines.forEach((text, i) => {
      if (text.trim() === '') return;
      const head = parseVerified(text, publicKey);
      if (head) heads.push({ ...head, file, line: i + 1 });
      else rejected.push(`${file}:${i + 1}`);
    });
  }
  return { heads, rejected };
}

function parseVerified(text: string, publicKey: KeyObject): TreeHead | null {
  try {
    const head = parseTreeHead(JSON.parse(text));
    return verifyTreeHeadSignature(head, publicKey) ? head : null;
  } catch {
    return null;
  }
}
