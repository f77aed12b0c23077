import { join } from 'node:path';
import { loadLegalData } from '@/config/legal-data';
import { breachDeadlines, breachDuty, jstDay } from './breach-deadlines';

const rules = loadLegalData(join(__dirname, '..', '..', 'config')).compliance.breachReport;
const facts = (over: Partial<Parameters<typeof breachDuty>[0]> = {}) => ({
  discoveredAt: new Date('2026-12-01T10:00:00+09:00'),
  affectedCount: 0,
  unlawfulPurpose: false,
  publiclyViewable: false,
  systemLeak: false,
  ...over,
});

/** 報告規則 (config/compliance.json breachReport): the duty and the two deadlines. */
describe('breach duty and deadlines', () => {
  it.each([
    [100, false, []],
    [101, true, ['over-threshold']],
    [150, true, ['over-threshold']],
  ])('%i people: duty %s (threshold "more than 100")', (count, applies, codes) => {
    const duty = breachDuty(facts({ affectedCount: count }), rules);
    expect(duty.applies).toBe(applies);
    expect(duty.triggers.map((t) => t.code)).toEqual(codes);
  });

  it('one person is enough when the purpose was unlawful, the data publicly viewable or a system leaked', () => {
    expect(breachDuty(facts({ affectedCount: 1, unlawfulPurpose: true }), rules).triggers.map((t) => t.code)).toEqual(['unlawful-purpose']);
    expect(breachDuty(facts({ affectedCount: 1, publiclyViewable: true }), rules).triggers.map((t) => t.code)).toEqual(['publicly-viewable']);
    expect(breachDuty(facts({ affectedCount: 1, systemLeak: true }), rules).applies).toBe(true);
    expect(breachDuty(facts({ affectedCount: 1 }), rules).triggers[0]?.basis).toBeUndefined();
    expect(breachDuty(facts({ affectedCount: 101 }), rules).triggers[0]?.basis).toMatch(/報告規則第2条/);
  });

  it('速報: alarm at the start of day 3, due at the end of day 5; 確報: end of day 30, alarm 7 days before (Japan time, first day not counted)', () => {
    const d = breachDeadlines(facts(), rules, 7);
    expect(d.discoveredOn).toBe('2026-12-01');
    expect(d.preliminary).toMatchObject({ alarmAt: '2026-12-03T15:00:00.000Z', dueOn: '2026-12-06', dueAt: '2026-12-06T14:59:59.999Z' });
    expect(d.final).toMatchObject({ days: 30, dueOn: '2026-12-31', dueAt: '2026-12-31T14:59:59.999Z', alarmAt: '2026-12-23T15:00:00.000Z' });
    expect(d.final.basis).toMatch(/30日以内/);
  });

  it('確報 within 60 days when an unlawful purpose is suspected', () => {
    expect(breachDeadlines(facts({ unlawfulPurpose: true }), rules, 7).final).toMatchObject({ days: 60, dueOn: '2027-01-30', unlawfulPurpose: true });
  });

  it('counts in Japan time: 23:30 UTC on 30 November is 1 December in Japan', () => {
    expect(jstDay(new Date('2026-11-30T23:30:00Z'))).toBe('2026-12-01');
    expect(breachDeadlines(facts({ discoveredAt: new Date('2026-11-30T23:30:00Z') }), rules, 7).final.dueOn).toBe('2026-12-31');
  });

  it('with the first day counted (setting) every deadline is one day earlier; the alarm never precedes discovery', () => {
    const counted = { ...rules, deadlineCounting: { ...rules.deadlineCounting, firstDayCounted: true } };
    const d = breachDeadlines(facts(), counted, 7);
    expect([d.preliminary.dueOn, d.final.dueOn]).toEqual(['2026-12-05', '2026-12-30']);
    expect(breachDeadlines(facts(), rules, 90).final.alarmAt).toBe('2026-12-01T15:00:00.000Z');
  });
});
