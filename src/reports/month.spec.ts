import { BadRequestException } from '@nestjs/common';
import { monthOf, parseMonth } from './month';

describe('report month (JST)', () => {
  it('spans the month in Japan time', () => {
    const m = parseMonth('2026-04');
    expect(m.from.toISOString()).toBe('2026-03-31T15:00:00.000Z');
    expect(m.to.toISOString()).toBe('2026-04-30T15:00:00.000Z');
    expect(parseMonth('2026-12').to.toISOString()).toBe('2026-12-31T15:00:00.000Z');
  });

  it('knows which JST month an instant falls in', () => {
    expect(monthOf(new Date('2026-03-31T14:59:59Z'))).toBe('2026-03');
    expect(monthOf(new Date('2026-03-31T15:00:00Z'))).toBe('2026-04');
  });

  it.each(['2026-4', '2026-13', '2026-00', '1999-12', '2201-01', 'april', '', '2026-04-01'])('refuses %p with report.bad-month', (value) => {
    let thrown: unknown;
    try {
      parseMonth(value);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(BadRequestException);
    expect((thrown as BadRequestException).getResponse()).toMatchObject({ code: 'report.bad-month' });
  });
});
