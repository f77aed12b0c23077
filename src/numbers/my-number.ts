/**
 * The individual number (個人番号): 12 digits, the last a check digit (総務省令第85号 第5条).
 * Pure functions; messages never contain the digits.
 */
export type NormaliseResult =
  | { ok: true; digits: string }
  | {
      ok: false;
      code: 'number.not-string' | 'number.too-long' | 'number.empty' | 'number.not-digits' | 'number.wrong-length' | 'number.check-digit';
      reason: string;
    };

const SEPARATORS = /[\s\-‐‑‒–—―−ー－]/g;

/** NFKC (full-width digits to ASCII), drop spaces and hyphens, then check shape and check digit. */
export function normaliseMyNumber(input: string): NormaliseResult {
  if (typeof input !== 'string') return { ok: false, code: 'number.not-string', reason: 'number must be a string' };
  if (input.length > 64) return { ok: false, code: 'number.too-long', reason: 'number is too long' };
  const compact = input.normalize('NFKC').replace(SEPARATORS, '');
  if (compact.length === 0) return { ok: false, code: 'number.empty', reason: 'number is empty' };
  if (!/^[0-9]+$/.test(compact)) return { ok: false, code: 'number.not-digits', reason: 'number may contain only digits, spaces and hyphens' };
  if (compact.length !== 12) return { ok: false, code: 'number.wrong-length', reason: `number must have 12 digits (got ${compact.length})` };
  if (checkDigit(compact.slice(0, 11)) !== Number(compact[11])) {
    return { ok: false, code: 'number.check-digit', reason: 'number has a wrong check digit' };
  }
  return { ok: true, digits: compact };
}

/** Check digit over the first 11 digits: weights 6,5,4,3,2,7,6,5,4,3,2 left to right. */
export function checkDigit(base11: string): number {
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const p = Number(base11[11 - n]);
    const q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  const r = sum % 11;
  return r <= 1 ? 0 : 11 - r;
}
