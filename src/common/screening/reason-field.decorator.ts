import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength, ValidationArguments } from 'class-validator';
import { NoNumberLike } from './no-number-like.decorator';

export interface ReasonFieldOptions {
  /** Required (non-empty) instead of optional. */
  required?: boolean;
  /** Longest accepted text (default 500 characters). */
  maxLength?: number;
  description?: string;
  example?: string;
}

/**
 * A free-text reason or note kept with a decision (postpone, dispose, approve, review, ...): a
 * string of at most 500 characters, optional unless `required`, screened by `@NoNumberLike()`
 * (the one rule for numbers in text; answer code `input.number-like`).
 */
export function ReasonField(options: ReasonFieldOptions = {}): PropertyDecorator {
  const maxLength = options.maxLength ?? 500;
  const doc = {
    description: options.description ?? 'Must not contain a number',
    maxLength,
    ...(options.example === undefined ? {} : { example: options.example }),
  };
  return applyDecorators(
    ...(options.required
      ? [ApiProperty(doc), IsString(), IsNotEmpty({ message: (args: ValidationArguments) => `${args.property} is required` })]
      : [ApiPropertyOptional(doc), IsOptional(), IsString()]),
    MaxLength(maxLength),
    NoNumberLike(),
  );
}
