import { createHash } from 'node:crypto';

/**
 * A holder's unseal share as text: `MNV-<set id>-<share, base64url>`. The set id changes at
 * every rekey, so a share from an earlier set is recognised and refused with that reason.
 */
const SHARE = /^MNV-([0-9a-f]{8})-([A-Za-z0-9_-]{40,60})$/;

export function formatShare(setId: string, share: Uint8Array): string {
  return `MNV-${setId}-${Buffer.from(share).toString('base64url')}`;
}

export function parseShare(text: string): { setId: string; share: Buffer } | null {
  const m = SHARE.exec(String(text).replace(/\s+/g, ''));
  if (!m) return null;
  const share = Buffer.from(m[2]!, 'base64url');
  return share.length === 33 ? { setId: m[1]!, share } : null;
}

/** What the custody descriptor keeps of a share: its SHA-256 (a share is 256 random bits; the hash gives nothing away). */
export function shareFingerprint(share: Uint8Array): string {
  return createHash('sha256').update(share).digest('hex');
}
