import { BadRequestException } from '@nestjs/common';
import * as openpgp from 'openpgp';

/**
 * Encrypted exports (issue #19) with OpenPGP.js (maintained, CommonJS build): a bulk export for an
 * outside firm leaves as an OpenPGP message only the firm's registered public key opens (gpg, or
 * any OpenPGP tool). The vault never holds the firm's private key.
 */
export async function readRecipientKey(armored: string): Promise<{ armored: string; fingerprint: string }> {
  let key: openpgp.Key;
  try {
    key = await openpgp.readKey({ armoredKey: armored });
  } catch {
    throw new BadRequestException({ code: 'firm.key-unreadable', message: 'publicKey must be an ASCII-armored OpenPGP public key (gpg --armor --export)' });
  }
  if (key.isPrivate()) {
    throw new BadRequestException({ code: 'firm.key-private', message: 'Register the public key only: the private key stays with the firm' });
  }
  try {
    await key.getEncryptionKey();
  } catch {
    throw new BadRequestException({ code: 'firm.key-cannot-encrypt', message: 'The key has no valid encryption (sub)key: it may be expired or revoked' });
  }
  return { armored: key.armor(), fingerprint: key.getFingerprint() };
}

/** The export as an ASCII-armored OpenPGP message for the recipient's key. */
export async function encryptForRecipient(armoredKey: string, text: string, filename: string): Promise<string> {
  const encryptionKeys = await openpgp.readKey({ armoredKey });
  // binary, not text mode: the file arrives byte for byte (BOM and CRLF kept, as in the plain CSV)
  const message = await openpgp.createMessage({ binary: new Uint8Array(Buffer.from(text, 'utf8')), filename, format: 'binary' });
  return (await openpgp.encrypt({ message, encryptionKeys })) as string;
}
