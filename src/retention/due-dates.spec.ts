import { join } from 'node:path';
import { loadLegalData } from '@/config/legal-data';
import { addDays, addYears, disposalDueDate, effectiveLeftOn, filingDueDate, localDate, retentionStart, RuleFacts, startOfLocalDay } from './due-dates';

const rules = new Map(loadLegalData(join(__dirname, '..', '..', 'config')).retentionRules.map((r) => [r.documentType, r as RuleFacts]));
const rule = (documentType: string): RuleFacts => rules.get(documentType)!;
const yearly = (documentType: string, taxYear: number) => ({ documentType, taxYear, closedAt: null });
const closed = (documentType: string, closedAt: string | null) => ({ documentType, taxYear: null, closedAt });
/** One relationship ended on that day, without the post-leaving floor (the floor has its own spec: retention-rules.spec.ts). */
const left = (leftOn: string | null) => [{ kind: 'employee' as const, leftOn, floor: null }];

describe('calendar arithmetic', () => {
  it('adds days across month, year and leap-day boundaries', () => {
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2025-01-10', 1)).toBe('2025-01-11');
  });

  it('adds years; 29 February without a counterpart becomes 1 March (never a day early)', () => {
    expect(addYears('2024-02-29', 1)).toBe('2025-03-01');
    expect(addYears('2024-02-29', 2)).toBe('2026-03-01');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addYears('2024-02-28', 2)).toBe('2026-02-28');
    expect(addYears('2023-12-31', 7)).toBe('2030-12-31');
  });

  it('reads "today" in Japan (UTC+9)', () => {
    expect(localDate(new Date('2026-01-10T14:59:59Z'))).toBe('2026-01-10');
    expect(localDate(new Date('2026-01-10T15:00:00Z'))).toBe('2026-01-11');
    expect(startOfLocalDay('2026-01-11').toISOString()).toBe('2026-01-10T15:00:00.000Z');
  });
});

describe('after-january-10-following-deadline-year (所得税法施行規則76条の3, 7 years)', () => {
  it.each(['dependents-declaration', 'insurance-deduction-declaration', 'spouse-deduction-declaration', 'retirement-income-declaration'])(
    '%s for 年分 2025 starts 2026-01-11 and is due 2033-01-11 (kept through 2033-01-10)',
    (type) => {
      expect(retentionStart(rule(type), yearly(type, 2025))).toBe('2026-01-11');
      expect(filingDueDate(rule(type), yearly(type, 2025))).toBe('2033-01-11');
    },
  );

  it('pins the 10/11 January boundary through the subject due date', () => {
    const f = { filing: yearly('dependents-declaration', 2025), rule: rule('dependents-declaration') };
    // left on 2033-01-09: the filing decides, due 11 January
    expect(disposalDueDate(left('2033-01-09'), [f])).toEqual({ dueOn: '2033-01-11', rule: 'dependents-declaration', reason: 'due', leftOn: '2033-01-09' });
    // left on 10 January: the day after leaving is 11 January, the same day
    expect(disposalDueDate(left('2033-01-10'), [f]).dueOn).toBe('2033-01-11');
    // left on 11 January: leaving decides, due the 12th
    expect(disposalDueDate(left('2033-01-11'), [f])).toMatchObject({ dueOn: '2033-01-12', rule: 'left' });
  });

  it('a 年分 that is a leap year is unaffected (January dates)', () => {
    expect(filingDueDate(rule('dependents-declaration'), yearly('dependents-declaration', 2023))).toBe('2031-01-11');
  });

  it('without a 年分 the period has not started: the number is kept', () => {
    expect(filingDueDate(rule('dependents-declaration'), { documentType: 'dependents-declaration', taxYear: null, closedAt: null })).toBeNull();
  });
});

describe('matter-closed (the closing day is not counted)', () => {
  it.each([
    ['health-pension', 2, '2024-03-31', '2024-04-01', '2026-04-01'],
    ['employment-insurance-insured', 4, '2024-03-31', '2024-04-01', '2028-04-01'],
    ['employment-insurance-other', 2, '2024-03-31', '2024-04-01', '2026-04-01'],
    ['workers-accident', 3, '2024-03-31', '2024-04-01', '2027-04-01'],
  ])('%s (%i years) closed %s starts %s, due %s', (type, _years, closedAt, start, due) => {
    expect(retentionStart(rule(type), closed(type, closedAt))).toBe(start);
    expect(filingDueDate(rule(type), closed(type, closedAt))).toBe(due);
  });

  it('year end: closed 31 December starts 1 January', () => {
    expect(filingDueDate(rule('health-pension'), closed('health-pension', '2024-12-31'))).toBe('2027-01-01');
    expect(filingDueDate(rule('workers-accident'), closed('workers-accident', '2023-12-31'))).toBe('2027-01-01');
  });

  it('leap day: a period starting 29 February ends 28 February and is due 1 March', () => {
    // closed 28 Feb 2024 -> starts 29 Feb 2024 -> due 1 March 2026
    expect(filingDueDate(rule('health-pension'), closed('health-pension', '2024-02-28'))).toBe('2026-03-01');
    // closed 29 Feb 2024 -> starts 1 March 2024 -> due 1 March 2026
    expect(filingDueDate(rule('health-pension'), closed('health-pension', '2024-02-29'))).toBe('2026-03-01');
    // 4 years lands on a leap year again: 29 February exists
    expect(filingDueDate(rule('employment-insurance-insured'), closed('employment-insurance-insured', '2024-02-28'))).toBe('2028-02-29');
  });

  it('an open matter keeps the number indefinitely', () => {
    const r = disposalDueDate(left('2020-03-31'), [{ filing: closed('health-pension', null), rule: rule('health-pension') }]);
    expect(r).toEqual({ dueOn: null, rule: 'health-pension', reason: 'matter-open', leftOn: '2020-03-31' });
  });
});

describe("a person's disposal due date", () => {
  it('is never while the person has not left', () => {
    expect(disposalDueDate([], [])).toEqual({ dueOn: null, rule: null, reason: 'not-left', leftOn: null });
    expect(disposalDueDate(left(null), [])).toEqual({ dueOn: null, rule: null, reason: 'not-left', leftOn: null });
    expect(disposalDueDate(left(null), [{ filing: yearly('dependents-declaration', 2000), rule: rule('dependents-declaration') }]).dueOn).toBeNull();
  });

  it('with no filings and no floor (released) is the day after leaving (year end rolls over)', () => {
    expect(disposalDueDate(left('2025-12-31'), [])).toEqual({ dueOn: '2026-01-01', rule: 'left', reason: 'due', leftOn: '2025-12-31' });
  });

  it('is the latest end among the filings', () => {
    const r = disposalDueDate(left('2025-03-31'), [
      { filing: yearly('dependents-declaration', 2024), rule: rule('dependents-declaration') }, // 2032-01-11
      { filing: yearly('dependents-declaration', 2025), rule: rule('dependents-declaration') }, // 2033-01-11
      { filing: closed('employment-insurance-insured', '2025-04-10'), rule: rule('employment-insurance-insured') }, // 2029-04-11
    ]);
    expect(r).toMatchObject({ dueOn: '2033-01-11', rule: 'dependents-declaration', reason: 'due' });
  });

  it('keeps the number when a filing names a rule no longer configured', () => {
    expect(disposalDueDate(left('2020-01-01'), [{ filing: closed('gone', '2020-01-01'), rule: undefined }]).reason).toBe('unknown-rule');
  });
});

describe('when the relationship ended', () => {
  it('employee and payee: their own leave date', () => {
    expect(effectiveLeftOn({ kind: 'employee', leftAt: '2025-03-31' }, null)).toBe('2025-03-31');
    expect(effectiveLeftOn({ kind: 'payee', leftAt: null }, null)).toBeNull();
  });

  it('dependent: removed, or the employee left, whichever came first', () => {
    expect(effectiveLeftOn({ kind: 'dependent', leftAt: null }, { kind: 'employee', leftAt: null })).toBeNull();
    expect(effectiveLeftOn({ kind: 'dependent', leftAt: '2024-06-30' }, { kind: 'employee', leftAt: null })).toBe('2024-06-30');
    expect(effectiveLeftOn({ kind: 'dependent', leftAt: null }, { kind: 'employee', leftAt: '2025-03-31' })).toBe('2025-03-31');
    expect(effectiveLeftOn({ kind: 'dependent', leftAt: '2025-06-30' }, { kind: 'employee', leftAt: '2025-03-31' })).toBe('2025-03-31');
  });
});

describe('months (the open-matter review)', () => {
  it('adds months; a day the month lacks becomes the 1st of the next', () => {
    const { addMonths } = jest.requireActual('./due-dates') as typeof import('./due-dates');
    expect(addMonths('2025-06-30', 12)).toBe('2026-06-30');
    expect(addMonths('2024-02-29', 12)).toBe('2025-03-01');
    expect(addMonths('2025-01-31', 1)).toBe('2025-03-01');
    expect(addMonths('2025-12-15', 1)).toBe('2026-01-15');
  });
});
