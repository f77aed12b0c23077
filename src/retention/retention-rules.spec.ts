import { join } from 'node:path';
import { loadLegalData } from '@/config/legal-data';
import { disposalDueDate, effectiveLeftOn, FilingFacts, FloorFacts, RelationshipEnd, RelationshipKind, RuleFacts } from './due-dates';

/**
 * Issue #14, table-driven: each row is a person (relationships and the filings that carry their
 * number) and the rule from config/ that decides their disposal due date. Every row failed
 * before the post-leaving floor, the 年分 start rules and filings naming their people existed
 * (a leaver was due the day after leaving; a dependent the day after the employee left).
 */
const data = loadLegalData(join(__dirname, '..', '..', 'config'));
const rules = new Map(data.retentionRules.map((r) => [r.documentType, r as RuleFacts]));
const floors = new Map(data.retentionFloors.map((f) => [f.relationship, f as FloorFacts]));

const ended = (kind: RelationshipKind, leftOn: string | null, options: { released?: boolean } = {}): RelationshipEnd => ({
  kind,
  leftOn,
  floor: options.released ? null : (floors.get(kind) ?? null),
});
const byYear = (documentType: string, taxYear: number): FilingFacts => ({ documentType, taxYear, closedAt: null });
const closing = (documentType: string, closedAt: string | null): FilingFacts => ({ documentType, taxYear: null, closedAt });

interface Row {
  who: string;
  ends: RelationshipEnd[];
  filings: FilingFacts[];
  dueOn: string | null;
  /** The config rule that decides: a floor code, a documentType, or 'left'. */
  cites: string | null;
  reason?: string;
}

const rows: Row[] = [
  {
    who: 'an employee who left on 31 December with no filing: kept for the 源泉徴収票 and 給与支払報告書 (by 31 January)',
    ends: [ended('employee', '2025-12-31')],
    filings: [],
    dueOn: '2026-02-01',
    cites: 'floor-employee-leaving',
  },
  {
    who: 'an employee who left in June: the same floor, not the next day',
    ends: [ended('employee', '2025-06-30')],
    filings: [],
    dueOn: '2026-02-01',
    cites: 'floor-employee-leaving',
  },
  {
    who: 'a leaver whose post-leaving filings the clerk recorded as done and an admin released: the day after leaving',
    ends: [ended('employee', '2025-06-30', { released: true })],
    filings: [],
    dueOn: '2025-07-01',
    cites: 'left',
  },
  {
    who: 'a leaver with a 7-year 扶養控除等申告書 for 年分 2025',
    ends: [ended('employee', '2025-06-30')],
    filings: [byYear('dependents-declaration', 2025)],
    dueOn: '2033-01-11',
    cites: 'dependents-declaration',
  },
  {
    who: 'a 扶養控除等申告書 for 年分 2026 handed in December 2025 follows the 年分, not the day it was handed in',
    ends: [ended('employee', '2026-03-31')],
    filings: [byYear('dependents-declaration', 2026)],
    dueOn: '2034-01-11',
    cites: 'dependents-declaration',
  },
  {
    who: 'a dependent named on that declaration: kept as long as the declaration',
    ends: [ended('dependent', effectiveLeftOn({ kind: 'dependent', leftAt: null }, { kind: 'employee', leftAt: '2025-06-30' }))],
    filings: [byYear('dependents-declaration', 2025)],
    dueOn: '2033-01-11',
    cites: 'dependents-declaration',
  },
  {
    who: "a dependent on no filing: kept for the employee's slip of that year (floor), not dropped the next day",
    ends: [ended('dependent', effectiveLeftOn({ kind: 'dependent', leftAt: null }, { kind: 'employee', leftAt: '2025-06-30' }))],
    filings: [],
    dueOn: '2026-02-01',
    cites: 'floor-dependent-ending',
  },
  {
    who: 'a payee whose contract ended in March 2025: kept for the 支払調書 of 2025 (by 31 January 2026)',
    ends: [ended('payee', '2025-03-31')],
    filings: [],
    dueOn: '2026-02-01',
    cites: 'floor-payee-contract-ended',
  },
  {
    who: 'a payee with the copy of the 支払調書 kept (company choice, 7 years)',
    ends: [ended('payee', '2025-03-31')],
    filings: [byYear('payment-record-copy', 2025)],
    dueOn: '2033-02-01',
    cites: 'payment-record-copy',
  },
  {
    who: 'a rehire: the old employment ended, the new one continues, so nothing is due',
    ends: [ended('employee', '2024-03-31'), ended('employee', null)],
    filings: [byYear('dependents-declaration', 2015)],
    dueOn: null,
    cites: null,
    reason: 'not-left',
  },
  {
    who: 'a person who is both employee (left June 2025) and payee (rent contract ended March 2026): the latest',
    ends: [ended('employee', '2025-06-30'), ended('payee', '2026-03-31')],
    filings: [],
    dueOn: '2027-02-01',
    cites: 'floor-payee-contract-ended',
  },
  {
    who: 'a person who is both, still a payee: not due',
    ends: [ended('employee', '2025-06-30'), ended('payee', null)],
    filings: [],
    dueOn: null,
    cites: null,
    reason: 'not-left',
  },
  {
    who: "an open matter (健康保険 matter not closed) keeps a leaver's number: no date, reviewed instead",
    ends: [ended('employee', '2025-06-30')],
    filings: [closing('health-pension', null)],
    dueOn: null,
    cites: 'health-pension',
    reason: 'matter-open',
  },
  {
    who: 'a leaver on 29 February: the floor is the day after 31 January of the next year',
    ends: [ended('employee', '2024-02-29')],
    filings: [],
    dueOn: '2025-02-01',
    cites: 'floor-employee-leaving',
  },
  {
    who: 'a matter closed on 28 February 2024 (period starts 29 February): 2 years end 28 February, due 1 March',
    ends: [ended('employee', '2024-02-29')],
    filings: [closing('health-pension', '2024-02-28')],
    dueOn: '2026-03-01',
    cites: 'health-pension',
  },
  {
    who: '国民年金第3号被保険者関係届 (through the employee) for a spouse: 2 years after the matter closes',
    ends: [ended('dependent', '2025-06-30')],
    filings: [closing('national-pension-category3', '2025-07-05')],
    dueOn: '2027-07-06',
    cites: 'national-pension-category3',
  },
  {
    who: 'the copy of a 源泉徴収票 for 年分 2025 (filed by 31 January 2026): 7 years from 1 February 2026',
    ends: [ended('employee', '2025-06-30')],
    filings: [byYear('withholding-slip-copy', 2025)],
    dueOn: '2033-02-01',
    cites: 'withholding-slip-copy',
  },
];

describe('who is due when (issue #14): each row cites the config rule that decides it', () => {
  it.each(rows.map((r) => [r.who, r] as const))('%s', (_who, row) => {
    const result = disposalDueDate(
      row.ends,
      row.filings.map((filing) => ({ filing, rule: rules.get(filing.documentType) })),
    );
    expect({ dueOn: result.dueOn, rule: result.rule, reason: result.reason }).toEqual({
      dueOn: row.dueOn,
      rule: row.cites,
      reason: row.reason ?? 'due',
    });
    // the cited rule exists in config/
    if (row.cites && row.cites !== 'left') {
      expect(rules.has(row.cites) || data.retentionFloors.some((f) => f.code === row.cites)).toBe(true);
    }
  });
});
