import { BadRequestException } from '@nestjs/common';
import { applyDecorators } from '@nestjs/common';
import { IsISO8601, Matches, registerDecorator, ValidationArguments } from 'class-validator';

/**
 * Date bounds for every date field of the API (issue #14, and #16 finding 8): 1900-01-01 to
 * 2200-12-31. Outside them a date is a typo (9999-12-31 was stored and read back as year 0000),
 * answered 400 with the code `date.out-of-range`. Whether a date may lie in the future depends on
 * the field and on the clock (tests move it), so services check that with assertNotFuture.
 */
export const DATE_MIN = '1900-01-01';
export const DATE_MAX = '2200-12-31';
/** The validation constraint name the global pipe maps to `date.out-of-range`. */
export const DATE_RANGE_CONSTRAINT = 'dateInRange';

/** Plain calendar date, YYYY-MM-DD. */
export const CALENDAR_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

const MIN_MS = Date.parse(`${DATE_MIN}T00:00:00Z`) - 14 * 3600_000;
const MAX_MS = Date.parse(`${DATE_MAX}T23:59:59.999Z`) + 14 * 3600_000;

/** True when a date or date-time string lies within the bounds (its calendar date, whatever the offset). */
export function withinDateBounds(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const day = value.slice(0, 10);
  if (!CALENDAR_DATE.test(day)) return false;
  if (day < DATE_MIN || day > DATE_MAX) return false;
  const ms = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
  return Number.isFinite(ms) && ms >= MIN_MS && ms <= MAX_MS;
}

function InDateRange(field: string): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: DATE_RANGE_CONSTRAINT,
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => value === null || value === undefined || withinDateBounds(value),
        defaultMessage: (_args?: ValidationArguments) => `${field} must lie between ${DATE_MIN} and ${DATE_MAX}`,
      },
    });
}

/** A calendar date field (YYYY-MM-DD) within the bounds. Combine with IsOptional / ValidateIf as before. */
export function IsBoundedDate(field: string): PropertyDecorator {
  return applyDecorators(
    Matches(CALENDAR_DATE, { message: `${field} must be a date as YYYY-MM-DD` }),
    IsISO8601({ strict: true }, { message: `${field} must be a date as YYYY-MM-DD` }),
    InDateRange(field),
  );
}

/** An ISO 8601 date or date-time field within the bounds. */
export function IsBoundedDateTime(field: string, message = `${field} must be an ISO 8601 time`): PropertyDecorator {
  return applyDecorators(IsISO8601({ strict: true }, { message }), InDateRange(field));
}

/**
 * Refuses a date that lies after today (a calendar date) or after now (a time) where the future
 * makes no sense: a purpose notified tomorrow is not notified. `code` is the stable error code.
 */
export function assertNotFuture(field: string, value: string | null | undefined, now: Date, today: string, code: string): void {
  if (!value) return;
  const future = value.length === 10 ? value > today : Date.parse(value) > now.getTime() + 5 * 60_000;
  if (future) throw new BadRequestException({ code, message: `${field} must not be in the future` });
}
