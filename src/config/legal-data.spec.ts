import { mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLegalData } from './legal-data';

const CONFIG = join(__dirname, '..', '..', 'config');

/** Pins the legal data: a change in the law is a change in config/ and in this spec. */
describe('legal data in config/', () => {
  const data = loadLegalData(CONFIG);

  it('has the breach-report rules and the outside-firm checklist (issue #19)', () => {
    const b = data.compliance.breachReport;
    expect(b.affectedPeopleThreshold).toBe(100);
    expect(b.triggers.map((t) => t.code)).toEqual(['over-threshold', 'unlawful-purpose', 'publicly-viewable', 'system-leak']);
    expect([b.preliminary.minDays, b.preliminary.maxDays, b.final.days, b.final.unlawfulPurposeDays]).toEqual([3, 5, 30, 60]);
    expect(b.basis).toMatch(/番号法第29条の4/);
    expect(data.compliance.outsideFirmChecklist.basis).toMatch(/番号法第11条/);
    expect(data.compliance.outsideFirmChecklist.items.length).toBeGreaterThanOrEqual(8);
  });

  it('has the purposes of domain.md', () => {
    expect(data.purposes.map((p) => p.code).sort()).toEqual(
      [
        'dependents-declaration',
        'dividend-payment-record',
        'employment-insurance',
        'national-pension-category3',
        'zaikei-declaration',
        'health-pension',
        'payment-record',
        'retirement-income',
        'withholding-slip',
        'workers-accident',
      ].sort(),
    );
    expect(data.purposes.find((p) => p.code === 'payment-record')!.kinds).toEqual(['payee']);
    for (const p of data.purposes) expect(p.basis.length).toBeGreaterThan(0);
  });

  it.each([
    ['dependents-declaration', 7, 'after-january-10-following-deadline-year', '所得税法施行規則76条の3'],
    ['insurance-deduction-declaration', 7, 'after-january-10-following-deadline-year', '所得税法施行規則76条の3'],
    ['spouse-deduction-declaration', 7, 'after-january-10-following-deadline-year', '所得税法施行規則76条の3'],
    ['retirement-income-declaration', 7, 'after-january-10-following-deadline-year', '所得税法施行規則'],
    ['health-pension', 2, 'matter-closed', '健康保険法施行規則34条'],
    ['employment-insurance-insured', 4, 'matter-closed', '雇用保険法施行規則143条'],
    ['employment-insurance-other', 2, 'matter-closed', '雇用保険法施行規則143条'],
    ['workers-accident', 3, 'matter-closed', '労働者災害補償保険法施行規則51条'],
    ['national-pension-category3', 2, 'matter-closed', '厚生年金保険法施行規則28条'],
    ['withholding-slip-copy', 7, 'after-filing-deadline', 'PPC'],
    ['payment-record-copy', 7, 'after-filing-deadline', 'PPC'],
  ])('retention rule %s: %i years from %s (%s)', (type, years, start, basis) => {
    const rule = data.retentionRules.find((r) => r.documentType === type)!;
    expect(rule).toBeDefined();
    expect(rule.years).toBe(years);
    expect(rule.start).toBe(start);
    expect(rule.basis).toContain(basis);
  });

  it('says which periods are law and which are company choices (copies kept: company choice)', () => {
    const period = (t: string) => data.retentionRules.find((r) => r.documentType === t)!.period;
    expect(period('dependents-declaration')).toBe('law');
    expect(period('withholding-slip-copy')).toBe('company-choice');
    expect(period('payment-record-copy')).toBe('company-choice');
    for (const r of data.retentionRules) expect(r.startFromTaxYear.length).toBeGreaterThan(10);
  });

  it('has a post-leaving floor per relationship, 31 January of the year after the end, with its basis', () => {
    expect(data.retentionFloors.map((f) => f.relationship).sort()).toEqual(['dependent', 'employee', 'payee']);
    for (const f of data.retentionFloors) expect(f.deadline).toEqual({ yearsAfterEnd: 1, month: 1, day: 31 });
    expect(data.retentionFloors.find((f) => f.relationship === 'employee')!.basis).toContain('所得税法226条');
    expect(data.retentionFloors.find((f) => f.relationship === 'payee')!.basis).toContain('所得税法225条');
    expect(data.openMatterReview.reviewAfterLeavingMonths).toBe(12);
  });

  it("labels the dependents' purpose 配偶者・扶養親族 (a spouse is not a 扶養親族 under the income tax law)", () => {
    expect(data.purposes.find((p) => p.code === 'dependents-declaration')!.label).toContain('配偶者・扶養親族');
  });

  it('refuses the 個人番号通知書 as an identity document (it proves neither)', () => {
    expect(data.identityDocuments.find((d) => d.code === 'notification-letter')).toBeUndefined();
    expect(data.identityDocuments.find((d) => d.code === 'my-number-card')!.identityProof).toBe('both');
  });

  it('has a handling-rules version', () => {
    expect(data.handlingRules.version).toMatch(/\S/);
  });

  it('stops on invalid data, naming the file and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'legal-'));
    cpSync(CONFIG, dir, { recursive: true });
    const rules = JSON.parse(readFileSync(join(dir, 'retention-rules.json'), 'utf8'));
    rules.rules[0].years = 'seven';
    writeFileSync(join(dir, 'retention-rules.json'), JSON.stringify(rules));
    expect(() => loadLegalData(dir)).toThrow(/retention-rules\.json[\s\S]*rules\.0\.years/);
  });

  it('stops on a duplicated purpose code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'legal-'));
    cpSync(CONFIG, dir, { recursive: true });
    const purposes = JSON.parse(readFileSync(join(dir, 'purposes.json'), 'utf8'));
    purposes.purposes.push(purposes.purposes[0]);
    writeFileSync(join(dir, 'purposes.json'), JSON.stringify(purposes));
    expect(() => loadLegalData(dir)).toThrow(/defined twice/);
  });
});
