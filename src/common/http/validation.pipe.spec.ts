import { BadRequestException } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional } from 'class-validator';
import { createValidationPipe, inputProblem, MAX_INPUT_DEPTH } from './validation.pipe';

class YearDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  year?: number;
}

describe('the global validation pipe', () => {
  const pipe = createValidationPipe();
  const body = { type: 'body' as const, metatype: YearDto, data: '' };

  it('refuses nesting deeper than the limit without recursing', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(inputProblem(deep)?.code).toBe('input.too-deep');
    let ok: unknown = 1;
    for (let i = 0; i < MAX_INPUT_DEPTH - 1; i++) ok = { a: ok };
    expect(inputProblem(ok)).toBeNull();
  });

  it('refuses NUL characters in values and keys', () => {
    expect(inputProblem({ a: ['x', 'a\u0000b'] })?.code).toBe('input.nul');
    expect(inputProblem({ ['k\u0000']: 1 })?.code).toBe('input.nul');
    expect(inputProblem({ a: 'ok', b: [1, null, true] })).toBeNull();
  });

  it('turns a transformation that throws into a 400', async () => {
    await expect(pipe.transform({ year: { toString: 'x' } }, body)).rejects.toBeInstanceOf(BadRequestException);
    await expect(pipe.transform({ year: '2026' }, body)).resolves.toEqual({ year: 2026 });
  });
});
