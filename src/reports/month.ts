import { BadRequestException } from '@nestjs/common';

/** Japan Standard Time has no daylight saving: +09:00 all year. */
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

export interface ReportMonth {
  /** `YYYY-MM` */
  month: string;
  /** The first instant of the month in JST. */
  from: Date;
  /** The first instant of the next month in JST (exclusive). */
  to: Date;
}

/** A calendar month in Japan time; `400 report.bad-month` unless `YYYY-MM` between 2000-01 and 2200-12. */
export function parseMonth(value: string): ReportMonth {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(value ?? '');
  const year = m ? Number(m[1]) : NaN;
  if (!m || year < 2000 || year > 2200) {
    throw new BadRequestException({ code: 'report.bad-month', message: 'month must be YYYY-MM (for example 2026-04), between 2000-01 and 2200-12' });
  }
  const month = Number(m[2]);
  const from = new Date(Date.UTC(year, month - 1, 1) - JST_OFFSET_MS);
  const to = new Date(Date.UTC(year, month, 1) - JST_OFFSET_MS);
  return { month: value, from, to };
}

/** The JST month that holds an instant, as `YYYY-MM`. */
export function monthOf(at: Date): string {
  return new Date(at.getTime() + JST_OFFSET_MS).toISOString().slice(0, 7);
}
