import { isNumberLike, redactNumberLike } from './number-like';

describe('isNumberLike (issue #16 finding 5: one rule for free text, request ids and logs)', () => {
  it.each([
    ['a bare X-Request-Id', '983205673214'],
    ['a reason with spaces', 'moved away, old card 1234 5678 9018'],
    ['hyphens', 'E-3775-9458-0792'],
    ['a code', '3775-9458-0792'],
    ['dots', '1234.5678.9018'],
    ['underscores', '1234_5678_9018'],
    ['slashes and mixed punctuation', '1234/5678:9018'],
    ['spaced-out digits', '1 2 3 4 5 6 7 8 9 0 1 8'],
    ['a separator of up to three characters', '1234 - 5678 - 9018'],
    ['a username with letters in front', 'a123456789018'],
    ['full-width digits', '１２３４５６７８９０１８'],
    ['full-width with ideographic spaces', '１２３４　５６７８　９０１８'],
    ['superscript digits', '¹²³⁴⁵⁶⁷⁸⁹⁰¹⁸'],
    ['Arabic-Indic digits', '١٢٣٤٥٦٧٨٩٠١٨'],
    ['Devanagari digits', '१२३४५६७८९०१८'],
    ['%20 separators', '/subjects?q=1234%205678%209018'],
    ['full-width digits, percent-encoded', '/x/%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96%EF%BC%97%EF%BC%98%EF%BC%99%EF%BC%90%EF%BC%91%EF%BC%98'],
    ['twice percent-encoded', '1234%25205678%25209018'],
    ['a corporate number (13 digits)', '7010705000725'],
    ['more than 12 digits', '99 1234 5678 9018'],
    ['a line break between groups', '1234\n5678\n9018'],
    ['a UUID whose last group is 12 digits', '0b1e6f04-54b2-4c1e-9d3a-123456789018'],
  ])('refuses %s', (_, text) => {
    expect(isNumberLike(text)).toBe(true);
  });

  it.each([
    ['short figures', 'took 1234 ms for 50 rows'],
    ['a date', 'Left the company on 2026-03-31'],
    ['a date and time', '2026-04-01T09:00:00+09:00'],
    ['a phone number', '090-1234-5678'],
    ['11 digits', '12345678901'],
    ['digits broken by letters', '1234a5678b9018'],
    ['a UUID (request id)', '123e4567-e89b-42d3-a456-42661417400f'],
    ['a UUID whose digits would join across its hyphens', '12345678-1234-4123-8123-1234567890ab'],
    ['a staff code', 'E-0001'],
    ['a username', 'sato.h'],
    ['a name', '山田 太郎'],
    ['empty', ''],
  ])('accepts %s', (_, text) => {
    expect(isNumberLike(text)).toBe(false);
  });
});

describe('redactNumberLike', () => {
  it.each(['123456789018', '1234 5678 9018', '1234-5678-9018', '１２３４５６７８９０１８', '7010705000725', '1234%205678%209018'])('masks %s', (n) => {
    expect(redactNumberLike(`number ${n} here`)).toBe('number [redacted] here');
  });

  it('masks full-width percent-encoded digits in a path', () => {
    const out = redactNumberLike('GET /x/%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96%EF%BC%97%EF%BC%98%EF%BC%99%EF%BC%90%EF%BC%91%EF%BC%98');
    expect(out).toBe('GET /x/[redacted]');
  });

  it('leaves request ids and subject ids (UUIDs) alone, and text without a number unchanged', () => {
    const line = 'request 123e4567-e89b-42d3-a456-42661417400f subject 12345678-1234-4123-8123-1234567890ab 100%';
    expect(redactNumberLike(line)).toBe(line);
    expect(redactNumberLike('took 1234 ms for 50 rows')).toBe('took 1234 ms for 50 rows');
  });

  it('masks a UUID only when its last group is 12 digits', () => {
    expect(redactNumberLike('id 0b1e6f04-54b2-4c1e-9d3a-123456789018.')).toBe('id [redacted].');
  });
});
