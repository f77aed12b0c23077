import { BadRequestException } from '@nestjs/common';
import { Encrypter, armor } from 'age-encryption';
import { randomInt } from 'node:crypto';
import * as openpgp from 'openpgp';

/** How an export leaves (issue #19): for the firm's OpenPGP key, its age recipient, or with a one-time passphrase. */
export const EXPORT_ENCRYPTIONS = ['openpgp', 'age', 'passphrase'] as const;
export type ExportEncryption = (typeof EXPORT_ENCRYPTIONS)[number];

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

/** An age X25519 recipient (Bech32, lowercase): what `age-keygen` prints as "public key". */
const AGE_RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;

/**
 * The firm's age recipient (issue #19), checked with age-encryption (typage, by age's author):
 * X25519 only (`age1…`), the kind every age (the Debian package is 1.1) and rage opens; an age
 * identity (AGE-SECRET-KEY-1…) is refused, the firm keeps it.
 */
export function readAgeRecipient(text: string): string {
  const recipient = text.trim();
  if (/^AGE-SECRET-KEY-/i.test(recipient)) {
    throw new BadRequestException({ code: 'firm.key-private', message: 'Register the public recipient (age1…) only: the identity stays with the firm' });
  }
  if (!AGE_RECIPIENT.test(recipient)) {
    throw new BadRequestException({
      code: 'firm.age-recipient-invalid',
      message: 'recipient must be an age X25519 recipient (age1…, as printed by age-keygen)',
    });
  }
  try {
    new Encrypter().addRecipient(recipient); // checks the Bech32 checksum and the key
  } catch {
    throw new BadRequestException({
      code: 'firm.age-recipient-invalid',
      message: 'recipient must be an age X25519 recipient (age1…, as printed by age-keygen)',
    });
  }
  return recipient;
}

/** The export as an ASCII-armored age file for the recipient (`age -d -i key.txt` opens it). */
export async function encryptForAgeRecipient(recipient: string, text: string): Promise<string> {
  const encrypter = new Encrypter();
  encrypter.addRecipient(recipient);
  return armor.encode(await encrypter.encrypt(new Uint8Array(Buffer.from(text, 'utf8'))));
}

/** Letters and digits that cannot be confused when read out on the phone (no 0/O, 1/I/L). */
const PASSPHRASE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const PASSPHRASE_GROUPS = 6;
const PASSPHRASE_GROUP_LENGTH = 5;

/**
 * A one-time passphrase (issue #19): 6 groups of 5 from 31 symbols (about 148 bits) from the
 * system's CSPRNG, grouped to be read out or typed. It is returned once and never stored or logged.
 */
export function oneTimePassphrase(): string {
  const groups: string[] = [];
  for (let g = 0; g < PASSPHRASE_GROUPS; g++) {
    let group = '';
    for (let i = 0; i < PASSPHRASE_GROUP_LENGTH; i++) group += PASSPHRASE_ALPHABET[randomInt(PASSPHRASE_ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}

/**
 * The export as an ASCII-armored OpenPGP message encrypted with a passphrase (symmetric, AES-256,
 * iterated and salted S2K): `gpg --decrypt` (GnuPG, Gpg4win) opens it and asks for the passphrase.
 */
export async function encryptWithPassphrase(passphrase: string, text: string, filename: string): Promise<string> {
  const message = await openpgp.createMessage({ binary: new Uint8Array(Buffer.from(text, 'utf8')), filename, format: 'binary' });
  return (await openpgp.encrypt({ message, passwords: [passphrase], config: { preferredSymmetricAlgorithm: openpgp.enums.symmetric.aes256 } })) as string;
}
