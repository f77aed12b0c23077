export { isNumberLike, redactNumberLike, screeningForm, NUMBER_LIKE_MIN_DIGITS, REDACTED } from './number-like';
export { NoNumberLike, NO_NUMBER_LIKE, NUMBER_LIKE_CODE } from './no-number-like.decorator';
export { ReasonField } from './reason-field.decorator';
export type { ReasonFieldOptions } from './reason-field.decorator';
