import { z } from 'zod';
import { isNumberLike } from '@/common/screening/number-like';
import { NO_DIGIT_RUNS } from './collection.dto';

const CODE = z.string().regex(/^[a-z][a-z0-9-]{0,59}$/, 'must be a code');
// the project's one screening rule for free text (issue #16), plus no digit runs at all in a name
const NAME = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(NO_DIGIT_RUNS, 'must not contain digit runs')
  .refine((t) => !isNumberLike(t), 'must not contain anything like a number');
const KANA = z
  .string()
  .trim()
  .max(100)
  .regex(/^[\p{Script=Katakana}\p{Script=Hiragana}ー・\s\u3000]*$/u, 'must be written in kana');

/** A number or a "will not provide" reason code, never both. */
const numberOrReason = {
  number: z.string().max(64).optional(),
  notProvidedReason: CODE.optional(),
};

const dependent = z
  .object({
    name: NAME,
    nameKana: KANA.optional(),
    relationship: CODE,
    ...numberOrReason,
    numberDocument: CODE.optional(),
    identityDocuments: z.array(CODE).max(5).optional(),
  })
  .strict();

/**
 * The `data` part of a submission (multipart/form-data; the photos are the file parts). Parsed
 * with zod: a message names the field, never its value.
 */
export const submissionFormSchema = z
  .object({
    acknowledged: z.literal(true, { errorMap: () => ({ message: 'must be true (the purposes and handling summary were read)' }) }),
    noticeVersion: z.string().max(40),
    acknowledgedAt: z.string().datetime({ offset: true }),
    ...numberOrReason,
    numberDocument: CODE.optional(),
    identityDocuments: z.array(CODE).max(5).default([]),
    dependents: z.array(dependent).max(10).default([]),
  })
  .strict();
export type SubmissionForm = z.infer<typeof submissionFormSchema>;
export type DependentForm = z.infer<typeof dependent>;

/**
 * A photo's form field name: `<identity-document code>:<front|back>` for the submitter's documents,
 * `dependents[<i>]/<code>:<front|back>` for a dependent's (only when the notice asks for them).
 */
export const IMAGE_FIELD = /^(?:dependents\[(\d)\]\/)?([a-z][a-z0-9-]{0,59}):(front|back)$/;
