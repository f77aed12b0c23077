import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { isNumberLike } from './number-like';

/** The constraint name the validation pipe recognises (answer code NUMBER_LIKE_CODE). */
export const NO_NUMBER_LIKE = 'noNumberLike';
/** Stable error code of a 400 for a number-like value in a free-text field or the X-Request-Id. */
export const NUMBER_LIKE_CODE = 'input.number-like';

/**
 * For every free-text DTO field (names, codes, usernames, reasons, notes): refuses a value that
 * could carry a personal number (12 digits, with or without separators, any width or script;
 * see isNumberLike). With `{ each: true }` it checks every string of an array.
 */
export function NoNumberLike(options?: ValidationOptions): PropertyDecorator {
  return (object: object, propertyName: string | symbol) =>
    registerDecorator({
      name: NO_NUMBER_LIKE,
      target: object.constructor,
      propertyName: String(propertyName),
      options: {
        message: (args: ValidationArguments) =>
          `${args.property} must not contain a number-like value (12 digits, with or without separators): a personal number is not allowed here`,
        ...options,
      },
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !isNumberLike(value),
      },
    });
}
