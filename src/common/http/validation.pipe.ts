import { NO_NUMBER_LIKE, NUMBER_LIKE_CODE } from '@/common/screening/no-number-like.decorator';
import { ArgumentMetadata, BadRequestException, HttpException, ValidationError, ValidationPipe } from '@nestjs/common';
import { DATE_RANGE_CONSTRAINT } from './dates';

/** True when one of the errors (at any depth) is the number-like screening's. */
function hasNumberLike(errors: ValidationError[]): boolean {
  return errors.some((e) => NO_NUMBER_LIKE in (e.constraints ?? {}) || hasNumberLike(e.children ?? []));
}

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => (m.startsWith(e.property) ? `${parent ? parent + '.' : ''}${m}` : `${path}: ${m}`));
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/** Whether any failed constraint (at any depth) has this name. */
function failed(errors: ValidationError[], constraint: string): boolean {
  return errors.some((e) => (e.constraints && constraint in e.constraints) || failed(e.children ?? [], constraint));
}

/** The stable error code of a validation failure: dates out of bounds have their own. */
export function validationCode(errors: ValidationError[]): string | undefined {
  return failed(errors, DATE_RANGE_CONSTRAINT) ? 'date.out-of-range' : undefined;
}

/** Deeper input than any DTO needs; class-transformer recurses, so a much deeper one overflowed the stack (a 500). */
export const MAX_INPUT_DEPTH = 32;

/**
 * What no DTO accepts, found without recursion: nesting deeper than MAX_INPUT_DEPTH, and NUL
 * characters (PostgreSQL refuses them in text, which surfaced as a 500). Answers the problem or null.
 */
export function inputProblem(value: unknown): string | null {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length) {
    const [v, depth] = pending.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return 'Text must not contain NUL characters';
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) return `Input must not be nested more than ${MAX_INPUT_DEPTH} levels deep`;
    for (const [k, child] of Object.entries(v)) {
      if (k.includes('\u0000')) return 'Text must not contain NUL characters';
      pending.push([child, depth + 1]);
    }
  }
  return null;
}

/**
 * The global pipe, guarded: input no DTO could accept is refused with 400 before it is
 * transformed, and a transformation that throws on odd input (e.g. Number() of an object whose
 * toString is not a function) is a 400 too, never a 500. Messages never quote the input.
 */
class GuardedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'custom') return super.transform(value, metadata);
    const problem = inputProblem(value);
    if (problem) throw new BadRequestException(problem);
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      if (error instanceof HttpException) throw error;
      throw new BadRequestException(`The request ${metadata.type === 'body' ? 'body' : metadata.type === 'query' ? 'query' : 'path'} could not be read`);
    }
  }
}

/** One global pipe: unknown fields refused, types transformed, each error names its field. Values are never echoed. */
export function createValidationPipe(): ValidationPipe {
  return new GuardedValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const code = hasNumberLike(errors) ? NUMBER_LIKE_CODE : validationCode(errors);
      return new BadRequestException(code ? { code, message: flatten(errors), error: 'Bad Request' } : flatten(errors));
    },
  });
}
