import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLegalData } from '@/config/legal-data';
import { loadCollectionNotice } from './collection-notice';

const CONFIG = join(__dirname, '..', '..', 'config');

describe('config/collection-notice.json (what a collection link tells the person)', () => {
  const legal = loadLegalData(CONFIG);
  const applies = (code: string, kind: 'employee' | 'dependent') => !!legal.purposes.find((p) => p.code === code)?.kinds.includes(kind);

  it('loads, and tells employees and dependents only of purposes that apply to them', () => {
    const notice = loadCollectionNotice(CONFIG, applies);
    expect(notice.purposes).toEqual(['withholding-slip', 'dependents-declaration', 'health-pension', 'employment-insurance']);
    expect(notice.dependentPurposes).toEqual(['withholding-slip', 'dependents-declaration', 'health-pension']);
    expect(notice.dependentPhotos).toBe(false);
    expect(notice.handlingSummary.length).toBe(notice.handlingSummaryEn.length);
    expect(notice.notProvidedReasons).toContain('declined');
  });

  it('stops the service naming the file and the field when it is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnv-notice-'));
    const good = JSON.parse(readFileSync(join(CONFIG, 'collection-notice.json'), 'utf8'));
    writeFileSync(join(dir, 'collection-notice.json'), JSON.stringify({ ...good, dependentPurposes: ['employment-insurance'] }));
    expect(() => loadCollectionNotice(dir, applies)).toThrow(/collection-notice\.json: dependentPurposes\.0/);
    writeFileSync(join(dir, 'collection-notice.json'), JSON.stringify({ ...good, purposes: [] }));
    expect(() => loadCollectionNotice(dir, applies)).toThrow(/collection-notice\.json: purposes/);
  });
});
