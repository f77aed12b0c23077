import { accessSync, constants, readFileSync } from 'node:fs';
import { Command, CommandRunner, Option } from 'nest-commander';
import { redactDigits } from '@/common/logging/redact';
import { certificateSha256, verifyExportFile } from './audit-export';

/**
 * Offline verification of an audit export: needs only the file and the certificate, never the
 * database or the keystore. Returns the exit code: 0 only when the export is intact.
 */
export async function runAuditVerify(
  exportPath: string | undefined,
  certPath: string | undefined,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  if (!exportPath || !certPath) {
    err.write('usage: audit:verify <export.ndjson> --cert <certificate.pem>\n');
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
  const result = await verifyExportFile(exportPath, certPem);
  if (result.ok) {
    const range = result.entriesChecked ? `entries ${result.anchorSeq + 1} to ${result.lastSeq}` : 'no entries';
    out.write(
      `intact: ${result.entriesChecked} entries (${range}), ${result.checkpointsChecked} signed checkpoints verified ` +
        `with certificate sha256:${fingerprint}\n`,
    );
    return 0;
  }
  out.write(`NOT INTACT: first bad entry ${result.firstBadSeq ?? '-'}: ${redactDigits(result.reason ?? 'unknown problem')}\n`);
  out.write(`checked ${result.entriesChecked} entries and ${result.checkpointsChecked} checkpoints before the problem\n`);
  return 1;
}

@Command({
  name: 'audit:verify',
  arguments: '<export>',
  description: 'Verify an audit export (GET /audit/export) offline against the signing certificate; exit 0 only when intact',
})
export class AuditVerifyCommand extends CommandRunner {
  async run(params: string[], options: { cert?: string } = {}): Promise<void> {
    process.exitCode = await runAuditVerify(params[0], options.cert);
  }

  @Option({ flags: '--cert <certificate.pem>', description: 'PEM certificate from GET /audit/certificate', required: true })
  parseCert(value: string): string {
    return value;
  }
}

// Also runnable on its own, without Nest: node -r ts-node/register/transpile-only -r tsconfig-paths/register src/audit/audit-verify.command.ts <export> --cert <pem>
if (require.main === module) {
  const args = process.argv.slice(2);
  const certAt = args.findIndex((a) => a === '--cert' || a.startsWith('--cert='));
  const cert = certAt < 0 ? undefined : args[certAt]!.startsWith('--cert=') ? args[certAt]!.slice(7) : args[certAt + 1];
  const rest = args.filter((_, i) => certAt < 0 || (i !== certAt && (args[certAt]!.startsWith('--cert=') || i !== certAt + 1)));
  void runAuditVerify(rest[0], cert).then((code) => process.exit(code));
}
