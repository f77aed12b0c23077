import { Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KeyringService } from './keyring.service';

/** What is stored for one encrypted value: nothing here is secret without the keystore. */
export interface SealedValue {
  ciphertext: Buffer; // iv (12) || tag (16) || AES-256-GCM ciphertext
  wrappedKey: Buffer; // iv (12) || tag (16) || the data key wrapped by the KEK
  keyVersion: number;
}

const IV = 12;
const TAG = 16;
const WRAP_AAD = Buffer.from('mynumber-vault:data-key');

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function open(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(IV, IV + TAG));
  return Buffer.concat([decipher.update(sealed.subarray(IV + TAG)), decipher.final()]);
}

/**
 * Envelope encryption with node:crypto: a fresh AES-256-GCM data key per value, wrapped by
 * the current key-encryption key. The caller's additional data (`aad`) binds the
 * ciphertext to its record, so a ciphertext moved to another row fails to decrypt.
 */
@Injectable()
export class EnvelopeService {
  constructor(private readonly keyring: KeyringService) {}

  encrypt(plaintext: Buffer, aad: string): SealedValue {
    const { version, key } = this.keyring.currentKek();
    const dataKey = randomBytes(32);
    try {
      return {
        ciphertext: seal(dataKey, plaintext, Buffer.from(aad)),
        wrappedKey: seal(key, dataKey, WRAP_AAD),
        keyVersion: version,
      };
    } finally {
      dataKey.fill(0);
    }
  }

  /** Throws when the key, the ciphertext or the additional data do not match. */
  decrypt(value: SealedValue, aad: string): Buffer {
    const dataKey = open(this.keyring.kek(value.keyVersion), value.wrappedKey, WRAP_AAD);
    try {
      return open(dataKey, value.ciphertext, Buffer.from(aad));
    } finally {
      dataKey.fill(0);
    }
  }

  /** Re-wraps a data key under the current KEK; the ciphertext itself is untouched. */
  rewrap(wrappedKey: Buffer, fromVersion: number): { wrappedKey: Buffer; keyVersion: number } {
    const current = this.keyring.currentKek();
    const dataKey = open(this.keyring.kek(fromVersion), wrappedKey, WRAP_AAD);
    try {
      return { wrappedKey: seal(current.key, dataKey, WRAP_AAD), keyVersion: current.version };
    } finally {
      dataKey.fill(0);
    }
  }
}
