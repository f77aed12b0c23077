import { accessSync, constants, existsSync, readFileSync, renameSync, writeFileSync, fsyncSync, openSync, closeSync } from 'node:fs';
import { Command, CommandRunner, Option } from 'nest-commander';
import { publicKeyOfCertificate } from './audit-chain';
import { certificateSha256, verifyExportFile } from './audit-export';
import { describeHead, parseTreeHead, TreeHead, treeHeadJson, verifyTreeHeadSignature } from './audit-tree-head';
import { KnownHead } from './audit-tree-verify';
import { scanWitnessDirectory } from './witness-directory';

export interface AuditVerifyOptions {
  cert?: string;
  /** A witness directory (AUDIT_WITNESS_DIR): its newest head that verifies. */
  witnessDir?: string;
  /** A head the auditor holds: a JSON tree head, or a witness file (its last line that verifies). */
  head?: string;
  /** The auditor's state file: the last head verified; refuses to go backwards, updated on success. */
  state?: string;
  /** The timestamp authority's CA certificate(s) (PEM): every RFC 3161 timestamp in the export must verify with it. */
  tsaCa?: string;
}

/** Reads a head from a file: one JSON object, or JSON Lines (the last line whose signature verifies). */
export function readHeadFile(path: string, certPem: string): TreeHead {
  const text = readFileSync(path, 'utf8');
  const publicKey = publicKeyOfCertificate(certPem);
  const candidates = [text, ...text.split('\n').reverse()];
  for (const candidate of candidates) {
    if (!candidate.trim()) continue;
    let head: TreeHead;
    try {
      const parsed = JSON.parse(candidate);
      head = parseTreeHead(parsed?.head ?? parsed);
    } catch {
      continue;
    }
    if (verifyTreeHeadSignature(head, publicKey)) return head;
    throw new Error(`the tree head in ${path} does not verify with the certificate`);
  }
  throw new Error(`${path} holds no tree head`);
}

/** Writes the state file so that a crash leaves either the old or the new head (temporary file, fsync, rename). */
function writeState(path: string, head: TreeHead, certSha256: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(treeHeadJson(head, certSha256)) + '\n');
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * Offline verification of an audit export: needs only the file and the certificate, never the
 * database or the keystore. With --witness-dir, --head or --state the export's tree must also
 * be that head's tree or an extension of it. Returns the exit code: 0 only when intact.
 */
export async function runAuditVerify(
  exportPath: string | undefined,
  certPathOrOptions: string | AuditVerifyOptions | undefined,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const options: AuditVerifyOptions = typeof certPathOrOptions === 'object' ? certPathOrOptions : { cert: certPathOrOptions };
  const certPath = options.cert;
  if (!exportPath || !certPath) {
    err.write(
      'usage: audit:verify <export.ndjson> --cert <certificate.pem> [--witness-dir <dir>] [--head <head.json>] [--state <file>] [--tsa-ca <tsa-ca.pem>]\n',
    );
    return 1;
  }
  let certPem: string;
  let fingerprint: string;
  try {
    certPem = readFileSync(certPath, 'utf8');
    fingerprint = certificateSha256(certPem);
  } catch (error) {
    err.write(`cannot read the certificate ${certPath}: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    accessSync(exportPath, constants.R_OK);
  } catch (error) {
    err.write(`cannot read the export ${exportPath}: ${(error as Error).message}\n`);
    return 1;
  }
  const known: KnownHead[] = [];
  try {
    if (options.witnessDir) {
      const scan = scanWitnessDirectory(options.witnessDir, publicKeyOfCertificate(certPem));
      if (!scan.latest) {
        err.write(`the witness directory ${options.witnessDir} holds no tree head that verifies with this certificate\n`);
        return 1;
      }
      known.push({ ...scan.latest, source: `the witness directory (${scan.latest.file} line ${scan.latest.line})` });
    }
    if (options.head) known.push({ ...readHeadFile(options.head, certPem), source: `the head in ${options.head}` });
    if (options.state && existsSync(options.state)) {
      known.push({ ...readHeadFile(options.state, certPem), source: `the last head you verified (${options.state})` });
    }
  } catch (error) {
    err.write(`${(error as Error).message}\n`);
    return 1;
  }
  let tsaCaPem: string | undefined;
  if (options.tsaCa) {
    try {
      tsaCaPem = readFileSync(options.tsaCa, 'utf8');
    } catch (error) {
      err.write(`cannot read the timestamp authority's certificate ${options.tsaCa}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  const result = await verifyExportFile(exportPath, certPem, known, { tsaCaPem });
  if (result.ok) {
    const range = result.entriesChecked ? `entries ${result.anchorSeq + 1} to ${result.lastSeq}` : 'no entries';
    out.write(
      `intact: ${result.entriesChecked} entries (${range}), ${result.checkpointsChecked} signed checkpoints and ` +
        `${result.treeHeadsChecked} signed tree heads verified with certificate sha256:${fingerprint}\n`,
    );
    if (result.treeHead) out.write(`tree head: ${describeHead(result.treeHead)}\n`);
    for (const k of known) out.write(`consistent with ${k.source}: ${describeHead(k)}\n`);
    if (result.timestamps > 0 && tsaCaPem) {
      const newest = result.newestTimestamp!;
      out.write(
        `RFC 3161 timestamps: ${result.timestampsChecked} verified with ${options.tsaCa} (newest: tree head ${newest.treeSize} existed at ${newest.genTime})\n`,
      );
    } else if (result.timestamps > 0) {
      out.write(`RFC 3161 timestamps: ${result.timestamps} not checked (give --tsa-ca <the timestamp authority's CA certificate>)\n`);
    }
    if (options.state) {
      const previous = known.find((k) => k.source.startsWith('the last head you verified'));
      if (result.treeHead && (!previous || result.treeHead.treeSize >= previous.treeSize)) {
        writeState(options.state, result.treeHead, fingerprint);
        out.write(`state: ${options.state} now holds tree head ${result.treeHead.treeSize}\n`);
      }
    }
    return 0;
  }
  const backwards = result.reason?.includes('the last head you verified') && result.reason.includes('is smaller than');
  // The verifier builds its reasons from sequence numbers, hashes, times and file names only, never
  // from an entry's content; the auditor needs the heads' roots and times exactly as signed, which
  // the number-like redaction would cut (a hex root or a time can hold 12 digits).
  out.write(
    `NOT INTACT: ${backwards ? 'refusing to go backwards: ' : ''}first bad entry ${result.firstBadSeq ?? '-'}: ${result.reason ?? 'unknown problem'}\n`,
  );
  out.write(`checked ${result.entriesChecked} entries and ${result.checkpointsChecked} checkpoints before the problem\n`);
  return 1;
}

@Command({
  name: 'audit:verify',
  arguments: '<export>',
  description:
    'Verify an audit export (GET /audit/export) offline against the signing certificate; with --witness-dir/--head/--state also that the trail was not shortened or rolled back; exit 0 only when intact',
})
export class AuditVerifyCommand extends CommandRunner {
  async run(params: string[], options: AuditVerifyOptions = {}): Promise<void> {
    process.exitCode = await runAuditVerify(params[0], options);
  }

  @Option({ flags: '--cert <certificate.pem>', description: 'PEM certificate from GET /audit/certificate', required: true })
  parseCert(value: string): string {
    return value;
  }

  @Option({ flags: '--witness-dir <dir>', description: 'witness directory (AUDIT_WITNESS_DIR): its newest signed tree head' })
  parseWitnessDir(value: string): string {
    return value;
  }

  @Option({ flags: '--head <head.json>', description: 'a signed tree head you hold (JSON, or a witness file)' })
  parseHead(value: string): string {
    return value;
  }

  @Option({
    flags: '--tsa-ca <tsa-ca.pem>',
    description: "the timestamp authority's CA certificate: every RFC 3161 timestamp in the export must verify with it",
  })
  parseTsaCa(value: string): string {
    return value;
  }

  @Option({ flags: '--state <file>', description: 'your state file: the last head verified; refuses to go backwards, updated on success' })
  parseState(value: string): string {
    return value;
  }
}

// Also runnable on its own, without Nest: node -r ts-node/register/transpile-only -r tsconfig-paths/register src/audit/audit-verify.command.ts <export> --cert <pem>
if (require.main === module) {
  const args = process.argv.slice(2);
  const options: AuditVerifyOptions = {};
  const rest: string[] = [];
  const names: Record<string, keyof AuditVerifyOptions> = {
    '--cert': 'cert',
    '--witness-dir': 'witnessDir',
    '--head': 'head',
    '--state': 'state',
    '--tsa-ca': 'tsaCa',
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const name = names[flag];
    if (name) options[name] = eq < 0 ? args[++i] : arg.slice(eq + 1);
    else rest.push(arg);
  }
  void runAuditVerify(rest[0], options).then((code) => process.exit(code));
}
