/**
 * Retention arithmetic: pure functions over calendar dates ('YYYY-MM-DD'), no clock, no I/O.
 *
 * Convention used everywhere: a *due date* is the FIRST day on which the number may (and, once
 * the person has left, must) be deleted. The retention period is the half-open range
 * [start, start + years): the day before the due date is the last day the record must be kept.
 *
 * Filings are entered by 年分 (tax year: the year the document is for). Each rule in
 * config/retention-rules.json says where its filing deadline lies relative to the 年分:
 * - `after-january-10-following-deadline-year` (所得税法施行規則76条の3): the deadline falls in
 *   year D = 年分 + deadline.yearsAfterTaxYear, the period starts on 11 January of D+1 ("the day
 *   after 10 January of the year after the deadline's year") and the due date is 11 January of
 *   D+1+years (扶養控除等申告書 for 年分 2026, handed in December 2025: D = 2026, due 2034-01-11).
 * - `after-filing-deadline` (copies kept, 控え): the period starts the day after the deadline
 *   (年分 + yearsAfterTaxYear, month, day), e.g. 1 February of the year after the 年分.
 * - `matter-closed` (完結の日から N 年): the closing day itself is not counted (民法140条), so the
 *   period starts the day after `closedAt` and the due date is that day + years. A filing whose
 *   matter has not closed yet keeps the number (and, for a leaver, raises a review: see
 *   config/retention-floors.json openMatterReview).
 * - Leap days (民法143条): when the start is 29 February and the target year has none, the period
 *   ends on 28 February and the due date is 1 March. Never a day early.
 * - The post-leaving floor (config/retention-floors.json): after a relationship ends the number
 *   is kept until the filings that follow the end are due: the day after 31 January of the year
 *   after the end, unless an admin approved early disposal (the floor is released).
 * - A person's due date is the latest over every relationship's end (and its floor) and every
 *   filing that carries the number (their own, or one that names them, like a dependent on the
 *   employee's 扶養控除等申告書). While any relationship continues there is none.
 */

export type IsoDate = string;

export type RetentionStartRule = 'after-january-10-following-deadline-year' | 'after-filing-deadline' | 'matter-closed';

export interface RuleFacts {
  documentType: string;
  years: number;
  start: RetentionStartRule;
  deadline?: { yearsAfterTaxYear: number; month?: number; day?: number };
}

export interface FilingFacts {
  documentType: string;
  /** 年分: the tax year the document is for. */
  taxYear: number | null;
  closedAt: IsoDate | null;
}

export type RelationshipKind = 'employee' | 'dependent' | 'payee';

export interface LeaveFacts {
  kind: RelationshipKind;
  leftAt: IsoDate | null;
}

/** The post-leaving floor of a relationship kind (config/retention-floors.json). */
export interface FloorFacts {
  code: string;
  deadline: { yearsAfterEnd: number; month: number; day: number };
}

/** One relationship that justified holding the number, and when it ended. */
export interface RelationshipEnd {
  kind: RelationshipKind;
  /** null while it continues. */
  leftOn: IsoDate | null;
  /** The floor that applies after the end; null when none is configured or an admin released it. */
  floor: FloorFacts | null;
}

export type DueReason = 'due' | 'not-left' | 'matter-open' | 'unknown-rule';

export interface DueResult {
  /** First day the number may be deleted; null while it must be kept (see reason). */
  dueOn: IsoDate | null;
  /** What set the date: a document type, a floor code, or 'left' (the day after the end, no floor). */
  rule: string | null;
  reason: DueReason;
  /** The day the last relationship ended (for a dependent: removed or employee left). */
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

/** Same day `months` later; a day the target month lacks becomes the 1st of the month after (never early). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const [y, m, d] = parts(date);
  const total = y * 12 + (m - 1) + months;
  const ty = Math.floor(total / 12);
  const tm = (total % 12) + 1;
  const last = new Date(Date.UTC(ty, tm, 0)).getUTCDate();
  return d > last ? addDays(format(ty, tm, last), 1) : format(ty, tm, d);
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return a >= b ? a : b;
}

/** The year in which a filing for this 年分 is due. */
export function deadlineYear(rule: RuleFacts, taxYear: number): number {
  return taxYear + (rule.deadline?.yearsAfterTaxYear ?? 0);
}

/** First day of the retention period, or null when it has not started (open matter / missing 年分). */
export function retentionStart(rule: RuleFacts, filing: FilingFacts): IsoDate | null {
  switch (rule.start) {
    case 'after-january-10-following-deadline-year':
      return filing.taxYear === null ? null : format(deadlineYear(rule, filing.taxYear) + 1, 1, 11);
    case 'after-filing-deadline':
      return filing.taxYear === null ? null : addDays(format(deadlineYear(rule, filing.taxYear), rule.deadline!.month!, rule.deadline!.day!), 1);
    case 'matter-closed':
      return filing.closedAt === null ? null : addDays(filing.closedAt, 1);
  }
}

/** The floor's due date: the day after the deadline in the year after the end (never before the day after the end). */
export function floorDueDate(floor: FloorFacts, leftOn: IsoDate): IsoDate {
  const [y] = parts(leftOn);
  const { yearsAfterEnd, month, day } = floor.deadline;
  return maxDate(addDays(format(y + yearsAfterEnd, month, day), 1), addDays(leftOn, 1));
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

/**
 * A person's disposal due date from every relationship's end (and its floor) and every filing
 * that carries the number. Not due while any relationship continues.
 */
export function disposalDueDate(ends: RelationshipEnd[], filings: { filing: FilingFacts; rule: RuleFacts | undefined }[]): DueResult {
  if (ends.length === 0 || ends.some((e) => e.leftOn === null)) return { dueOn: null, rule: null, reason: 'not-left', leftOn: null };
  let dueOn = '';
  let rule = 'left';
  let leftOn = '';
  for (const end of ends) {
    const endLeft = end.leftOn!;
    if (endLeft > leftOn) leftOn = endLeft;
    const own = end.floor ? floorDueDate(end.floor, endLeft) : addDays(endLeft, 1);
    const ownRule = end.floor && own > addDays(endLeft, 1) ? end.floor.code : 'left';
    if (own > dueOn) {
      dueOn = own;
      rule = ownRule;
    }
  }
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
