/**
 * Masks anything that looks like a personal or corporate number (12 or 13 digits, half-
 * or full-width, possibly split by spaces or hyphens) in text bound for logs or errors.
 * A second line of defence: code should never put a number there in the first place.
 */
const NUMBER_LIKE = /[0-9０-９](?:[\s\-－‐ー]*[0-9０-９]){10,12}/g;

export function redactDigits(text: string): string {
  return text.replace(NUMBER_LIKE, '[redacted]');
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
