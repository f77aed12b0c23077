/**
 * Retention arithmetic: pure functions over calendar dates ('YYYY-MM-DD'), no clock, no I/O.
 *
 * Convention used everywhere: a *due date* is the FIRST day on which the number may (and, once
 * the person has left, must) be deleted. The retention period is the half-open range
 * [start, start + years): the day before the due date is the last day the record must be kept.
 *
 * - `after-january-10-following-deadline-year` (所得税法施行規則76条の3): the filing deadline
 *   falls in the fiscal year Y, so the period starts on 11 January of Y+1 ("the day after
 *   10 January of the year after the deadline's year") and the due date is 11 January of
 *   Y+1+years (7 years: kept through 10 January Y+8, due 11 January Y+8).
 * - `matter-closed` (完結の日から N 年): the closing day itself is not counted (民法140条), so the
 *   period starts the day after `closedAt` and the due date is that day + years. A filing whose
 *   matter has not closed yet keeps the number indefinitely.
 * - Leap days (民法143条): when the start is 29 February and the target year has none, the period
 *   ends on 28 February and the due date is 1 March. Never a day early.
 * - A person's due date is the latest of every filing's due date and the day after they left;
 *   while they have not left there is none.
 */

export type IsoDate = string;

export type RetentionStartRule = 'after-january-10-following-deadline-year' | 'matter-closed';

export interface RuleFacts {
  documentType: string;
  years: number;
  start: RetentionStartRule;
}

export interface FilingFacts {
  documentType: string;
  fiscalYear: number | null;
  closedAt: IsoDate | null;
}

export interface LeaveFacts {
  kind: 'employee' | 'dependent' | 'payee';
  leftAt: IsoDate | null;
}

export type DueReason = 'due' | 'not-left' | 'matter-open' | 'unknown-rule';

export interface DueResult {
  /** First day the number may be deleted; null while it must be kept (see reason). */
  dueOn: IsoDate | null;
  /** The document type whose period ends last, or 'left' when leaving decided the date. */
  rule: string | null;
  reason: DueReason;
  /** The day the person's relationship ended (for a dependent: removed or employee left). */
  leftOn: IsoDate | null;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parts(date: IsoDate): [number, number, number] {
  const m = DATE.exec(date);
  if (!m) throw new Error(`not a calendar date: ${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function format(y: number, m: number, d: number): IsoDate {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  const [y, m, d] = parts(date);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return format(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** Same calendar day `years` later; 29 February without a counterpart becomes 1 March. */
export function addYears(date: IsoDate, years: number): IsoDate {
  const [y, m, d] = parts(date);
  const target = y + years;
  if (m === 2 && d === 29 && !isLeapYear(target)) return format(target, 3, 1);
  return format(target, m, d);
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return a >= b ? a : b;
}

/** First day of the retention period, or null when it has not started (open matter / missing year). */
export function retentionStart(rule: RuleFacts, filing: FilingFacts): IsoDate | null {
  switch (rule.start) {
    case 'after-january-10-following-deadline-year':
      return filing.fiscalYear === null ? null : format(filing.fiscalYear + 1, 1, 11);
    case 'matter-closed':
      return filing.closedAt === null ? null : addDays(filing.closedAt, 1);
  }
}

/** The filing's due date (first deletable day), or null while its period has not started. */
export function filingDueDate(rule: RuleFacts, filing: FilingFacts): IsoDate | null {
  const start = retentionStart(rule, filing);
  return start === null ? null : addYears(start, rule.years);
}

/**
 * When the relationship that justifies holding the number ended. A dependent's ends when it was
 * removed (its own leftAt) or its employee left, whichever came first; a payee's when the
 * contract ended (leftAt); an employee's when they left.
 */
export function effectiveLeftOn(subject: LeaveFacts, employee: LeaveFacts | null): IsoDate | null {
  if (subject.kind !== 'dependent') return subject.leftAt;
  const own = subject.leftAt;
  const employer = employee?.leftAt ?? null;
  if (own && employer) return own <= employer ? own : employer;
  return own ?? employer;
}

/** A person's disposal due date from the day they left and every filing that used the number. */
export function disposalDueDate(leftOn: IsoDate | null, filings: { filing: FilingFacts; rule: RuleFacts | undefined }[]): DueResult {
  if (leftOn === null) return { dueOn: null, rule: null, reason: 'not-left', leftOn };
  let dueOn = addDays(leftOn, 1);
  let rule: string = 'left';
  for (const { filing, rule: r } of filings) {
    if (!r) return { dueOn: null, rule: filing.documentType, reason: 'unknown-rule', leftOn };
    const end = filingDueDate(r, filing);
    if (end === null) return { dueOn: null, rule: r.documentType, reason: 'matter-open', leftOn };
    if (end > dueOn) {
      dueOn = end;
      rule = r.documentType;
    }
  }
  return { dueOn, rule, reason: 'due', leftOn };
}

/** The time zone the legal calendar is read in. */
export const RETENTION_TIME_ZONE = 'Asia/Tokyo';

const tokyoDate = new Intl.DateTimeFormat('en-CA', { timeZone: RETENTION_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today's date in Japan at this instant. */
export function localDate(at: Date): IsoDate {
  return tokyoDate.format(at);
}

/** 00:00 in Japan (UTC+9, no daylight saving) on that date. */
export function startOfLocalDay(date: IsoDate): Date {
  return new Date(`${date}T00:00:00+09:00`);
}
