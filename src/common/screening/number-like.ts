/**
 * THE screening rule for personal numbers in text (issue #16, finding 5; issue #22 for request ids).
 * One function decides, for every free-text field, the X-Request-Id and the redaction of logs
 * and error messages, whether a text carries something that could be a My Number:
 *
 * 1. percent-encodings are decoded (`%20`, and UTF-8 encodings such as `%EF%BC%91` for a
 *    full-width 1, also twice-encoded `%2520`), then the text is NFKC-normalised (full-width
 *    and superscript digits become ASCII digits);
 * 2. a *digit run* is a stretch of decimal digits of any script (ASCII, Arabic-Indic,
 *    Devanagari, …) where up to 3 separator characters may stand between two digits: spaces,
 *    hyphens, dots, underscores, slashes, any other punctuation or symbol. A letter ends a run;
 * 3. a run with 12 or more digits is number-like (a 13-digit corporate number is caught too).
 *
 * Whole tokens: a canonical UUID (8-4-4-4-12 hex digits) is one token, not a digit run, so the
 * digits of a request or subject id are not joined across its hyphens. Only a UUID whose last
 * group is 12 digits is number-like (that group could be a number).
 */

/** Separators allowed between two digits of a run: anything but letters, digits and marks. */
const SEP = '[^\\p{L}\\p{N}\\p{M}]';
const RUN = new RegExp(`\\p{Nd}(?:${SEP}{0,3}\\p{Nd})*`, 'gu');
const DIGIT = /\p{Nd}/gu;
const UUID = /(?<![\p{L}\p{N}])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-([0-9a-f]{12})(?![\p{L}\p{N}])/giu;
const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2})+/g;

/** How many digits a run must hold to be number-like. */
export const NUMBER_LIKE_MIN_DIGITS = 12;

/** Decodes percent-encoded byte runs as UTF-8 (invalid bytes become U+FFFD), up to three times. */
function decodePercent(text: string): string {
  let out = text;
  for (let i = 0; i < 3 && out.includes('%'); i++) {
    const next = out.replace(PERCENT_RUN, (run) => Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'));
    if (next === out) break;
    out = next;
  }
  return out;
}

/** The form the rule is applied to: percent-decoded, then NFKC. */
export function screeningForm(text: string): string {
  return decodePercent(text).normalize('NFKC');
}

function digitCount(run: string): number {
  return run.match(DIGIT)?.length ?? 0;
}

/** Splits the normalised text into UUID tokens and the text between them. */
function pieces(text: string): { uuid: boolean; text: string }[] {
  const out: { uuid: boolean; text: string }[] = [];
  let last = 0;
  for (const m of text.matchAll(UUID)) {
    if (m.index! > last) out.push({ uuid: false, text: text.slice(last, m.index) });
    out.push({ uuid: true, text: m[0] });
    last = m.index! + m[0].length;
  }
  if (last < text.length) out.push({ uuid: false, text: text.slice(last) });
  return out;
}

function uuidIsNumberLike(uuid: string): boolean {
  return /^\d{12}$/.test(uuid.slice(-12));
}

function textHasNumberLike(text: string): boolean {
  for (const m of text.matchAll(RUN)) if (digitCount(m[0]) >= NUMBER_LIKE_MIN_DIGITS) return true;
  return false;
}

/** True when the text carries something that could be a personal number (see the rule above). */
export function isNumberLike(text: string): boolean {
  if (!text) return false;
  return pieces(screeningForm(text)).some((p) => (p.uuid ? uuidIsNumberLike(p.text) : textHasNumberLike(p.text)));
}

export const REDACTED = '[redacted]';

/**
 * The text with every number-like run replaced by `[redacted]`. Text without one comes back
 * unchanged; text with one comes back in its screening form (decoded, NFKC), redacted.
 */
export function redactNumberLike(text: string): string {
  if (!isNumberLike(text)) return text;
  return pieces(screeningForm(text))
    .map((p) =>
      p.uuid ? (uuidIsNumberLike(p.text) ? REDACTED : p.text) : p.text.replace(RUN, (run) => (digitCount(run) >= NUMBER_LIKE_MIN_DIGITS ? REDACTED : run)),
    )
    .join('');
}
