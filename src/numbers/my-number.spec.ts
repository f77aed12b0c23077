import { checkDigit, normaliseMyNumber } from './my-number';

describe('normaliseMyNumber', () => {
  it.each(['123456789018', '983205673214', '111111111118'])('accepts the valid example %s', (n) => {
    expect(normaliseMyNumber(n)).toEqual({ ok: true, digits: n });
  });

  it.each([
    ['１２３４ ５６７８ ９０１８', '123456789018'],
    ['1234-5678-9018', '123456789018'],
    [' 9832 0567 3214 ', '983205673214'],
    ['1234　5678　9018', '123456789018'],
  ])('normalises %s', (input, digits) => {
    expect(normaliseMyNumber(input)).toEqual({ ok: true, digits });
  });

  it.each([
    ['123456789010', 'wrong check digit'],
    ['12345678901', '12 digits'],
    ['1234567890123', '12 digits'],
    ['12345678901a', 'only digits'],
    ['', 'empty'],
    ['12345678901８x', 'only digits'],
  ])('refuses %s (%s) without echoing digits', (input, reason) => {
    const result = normaliseMyNumber(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toContain(reason);
      expect(result.reason).not.toMatch(/\d{4,}/);
    }
  });

  it('computes the documented check digits', () => {
    expect(checkDigit('12345678901')).toBe(8);
    expect(checkDigit('98320567321')).toBe(4);
    expect(checkDigit('11111111111')).toBe(8);
  });

  it('every check digit 0..9 occurs and only that one validates', () => {
    for (let i = 0; i < 200; i++) {
      const base = String(10_000_000_000 + i * 7919).slice(0, 11);
      const good = checkDigit(base);
      for (let d = 0; d <= 9; d++) {
        expect(normaliseMyNumber(base + d).ok).toBe(d === good);
      }
    }
  });
});
