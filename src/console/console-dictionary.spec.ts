import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';

/** Every label the console asks for exists in Japanese and in English, and no label holds a number-like digit run. */
describe('console dictionary', () => {
  const dir = join(__dirname, 'public', 'js');
  const source = readFileSync(join(dir, 'i18n.js'), 'utf8').replace(/^export /gm, '');
  const sandbox: { DICTIONARIES?: Record<'ja' | 'en', Record<string, string>> } = {};
  runInNewContext(`${source}\nexports.DICTIONARIES = DICTIONARIES;`, { exports: sandbox });
  const { ja, en } = sandbox.DICTIONARIES!;

  it('has the same keys in both languages', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ja).sort());
  });

  it('knows every key the screens use', () => {
    const used = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
      for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/\bt\('([a-zA-Z.-]+)'/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((k) => !(k in ja))).toEqual([]);
  });

  it('holds no long digit runs', () => {
    expect(Object.values({ ...ja, ...en }).filter((v) => /\d{8,}/.test(v))).toEqual([]);
  });

  it('the submitter page (collect.js, issue #15) has every label it uses in both languages', () => {
    const source = readFileSync(join(dir, 'collect-i18n.js'), 'utf8').replace(/^export /gm, '');
    const box: { ja?: Record<string, string>; en?: Record<string, string> } = {};
    runInNewContext(`${source}\nexports.ja = ja; exports.en = en;`, { exports: box });
    expect(Object.keys(box.en!).sort()).toEqual(Object.keys(box.ja!).sort());
    const used = new Set<string>();
    for (const m of readFileSync(join(dir, 'collect.js'), 'utf8').matchAll(/\btr\('([a-zA-Z.-]+)'/g)) used.add(m[1]!);
    expect(used.size).toBeGreaterThan(30);
    expect([...used].filter((k) => !(k in box.ja!))).toEqual([]);
    expect(Object.values({ ...box.ja, ...box.en }).filter((v) => /\d{8,}/.test(v))).toEqual([]);
  });
});
