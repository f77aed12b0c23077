import { redactDeep, redactDigits } from './redact';

describe('redactDigits', () => {
  it.each(['123456789018', '1234 5678 9018', '1234-5678-9018', '１２３４５６７８９０１８', '7010705000725'])('masks %s', (n) => {
    expect(redactDigits(`number ${n} here`)).toBe('number [redacted] here');
  });

  it('leaves short figures alone', () => {
    expect(redactDigits('took 1234 ms for 50 rows')).toBe('took 1234 ms for 50 rows');
  });

  it('walks nested objects and errors', () => {
    const out = redactDeep({ a: ['x 123456789018'], e: new Error('bad 123456789018') }) as any;
    expect(JSON.stringify(out)).not.toMatch(/123456789018/);
  });
});
