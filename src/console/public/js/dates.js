// Dates as a Japanese office reads them: 2027年2月1日 (English: 2027-02-01), and how long ago a
// day passed. Dates from the API are calendar days (YYYY-MM-DD) in Japan time.
import { getLang, t } from './i18n.js';

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** '2027-02-01' → '2027年2月1日' in Japanese, unchanged in English; '—' when empty. */
export function day(iso) {
  if (!iso) return '—';
  const m = ISO_DAY.exec(String(iso).slice(0, 10));
  if (!m) return String(iso);
  return getLang() === 'en' ? m[0] : `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日`;
}

/** Today in Japan time, YYYY-MM-DD. */
export function todayInJapan(now = new Date()) {
  return new Date(now.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
}

/** Whole days from `iso` to today (positive: passed). */
export function daysSince(iso, now = new Date()) {
  const a = Date.parse(`${String(iso).slice(0, 10)}T00:00:00Z`);
  const b = Date.parse(`${todayInJapan(now)}T00:00:00Z`);
  return Math.round((b - a) / 86_400_000);
}

/** '2027年2月1日（120日経過）' / '（あと30日）' / '（本日）': the day and how long ago it passed. */
export function dayWithAge(iso) {
  if (!iso) return '—';
  const n = daysSince(iso);
  const age = n > 0 ? t('date.daysAgo', { n }) : n < 0 ? t('date.daysAhead', { n: -n }) : t('date.today');
  return `${day(iso)}${age}`;
}

const ENTERED_DAY = /^(\d{4})\s*[/\-.年]\s*(\d{1,2})\s*[/\-.月]\s*(\d{1,2})\s*日?$/;

/**
 * A date field. In Japanese a text field in 年/月/日 order (2026/03/31; 2026-03-31 and
 * 2026年3月31日 are read too), whatever the browser's locale would make of a native date
 * picker (en-US shows month/day/year); in English the browser's date picker. Read it with isoOf().
 */
export function dateInput(attrs = {}) {
  const { value, ...rest } = attrs;
  const el = document.createElement('input');
  for (const [k, v] of Object.entries(rest)) if (v !== undefined && v !== null && v !== false) el.setAttribute(k, v === true ? '' : String(v));
  if (getLang() === 'en') {
    el.type = 'date';
    el.value = value ?? '';
  } else {
    el.type = 'text';
    el.inputMode = 'numeric';
    el.autocomplete = 'off';
    el.maxLength = 12;
    el.placeholder = t('date.placeholder');
    el.dataset.format = 'ymd';
    el.value = value ? String(value).slice(0, 10).replaceAll('-', '/') : '';
  }
  return el;
}

/** The field's day as YYYY-MM-DD; null when empty; undefined when it is not a real date. */
export function isoOf(input) {
  const raw = String(input.value ?? '')
    .normalize('NFKC')
    .trim();
  if (raw === '') return null;
  const m = ENTERED_DAY.exec(raw);
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso ? undefined : iso;
}

/** The hint under a date field in Japanese (年/月/日); none in English (the picker shows it). */
export function dateHint() {
  return getLang() === 'en' ? undefined : t('date.hint');
}
