import { redactNumberLike } from '../screening/number-like';

/**
 * Masks anything number-like in text bound for logs or errors, by the one screening rule
 * (src/common/screening: percent-decoded, NFKC, 12 or more digits with separators, whole UUIDs).
 * A second line of defence: code should never put a number there in the first place.
 */
export function redactDigits(text: string): string {
  return redactNumberLike(text);
}

/** Deep copy of a log object with every string passed through redactDigits. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactDigits(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  if (value instanceof Error) return { type: value.name, message: redactDigits(value.message) };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactDeep(v, depth + 1);
  return out;
}
