import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES } from '@/audit/audit-action';

/**
 * Issue #22: the audit log shows every action and outcome by its label, in Japanese and English,
 * and the search offers every action. A new action in src/audit/audit-action.ts fails here until
 * it has `action.<code>` in both dictionaries and a place in public/js/audit.js's list.
 */
describe('audit log labels (console)', () => {
  const dir = join(__dirname, 'public', 'js');
  const source = readFileSync(join(dir, 'i18n.js'), 'utf8').replace(/^export /gm, '');
  const box: { DICTIONARIES?: Record<'ja' | 'en', Record<string, string>> } = {};
  runInNewContext(`${source}\nexports.DICTIONARIES = DICTIONARIES;`, { exports: box });
  const { ja, en } = box.DICTIONARIES!;

  it('labels every action and outcome in both languages, the Japanese ones in Japanese', () => {
    const keys = [...AUDIT_ACTIONS.map((a) => `action.${a}`), ...AUDIT_OUTCOMES.map((o) => `outcome.${o}`)];
    expect(keys.filter((k) => !ja[k] || !en[k])).toEqual([]);
    expect(keys.filter((k) => !/[\u3040-\u30ff\u4e00-\u9fff]/.test(ja[k]!))).toEqual([]);
    expect(new Set(AUDIT_ACTIONS.map((a) => ja[`action.${a}`])).size).toBe(AUDIT_ACTIONS.length); // no two actions read the same
  });

  it('offers every action in the search, each under a labelled group', () => {
    const audit = readFileSync(join(dir, 'audit.js'), 'utf8');
    const list = /export const AUDIT_ACTIONS = \[([\s\S]*?)\];/.exec(audit)![1]!;
    const offered = [...list.matchAll(/'([a-z.-]+)'/g)].map((m) => m[1]!);
    expect([...offered].sort()).toEqual([...AUDIT_ACTIONS].sort());
    const groups = [...new Set(AUDIT_ACTIONS.map((a) => a.split('.')[0]!))];
    expect(groups.filter((g) => !ja[`audit.group.${g}`] || !audit.includes(`'${g}'`))).toEqual([]);
  });
});
