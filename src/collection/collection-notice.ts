import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const CODE = z.string().regex(/^[a-z][a-z0-9-]{0,59}$/);

/** config/collection-notice.json: what a person is told and acknowledges before handing in a number. */
export const collectionNoticeSchema = z
  .object({
    $comment: z.string().optional(),
    version: z.string().min(1).max(40),
    purposes: z.array(CODE).min(1),
    dependentPurposes: z.array(CODE),
    dependentPhotos: z.boolean(),
    handlingSummary: z.array(z.string().min(1)).min(1),
    handlingSummaryEn: z.array(z.string().min(1)).min(1),
    notProvidedReasons: z.array(CODE).min(1),
    returnReasons: z.array(CODE).min(1),
    relationships: z.array(CODE).min(1),
  })
  .strict();
export type CollectionNotice = z.infer<typeof collectionNoticeSchema>;

/** Loads and validates the file; an invalid one stops the service naming the file and field. */
export function loadCollectionNotice(dir: string, knownPurpose: (code: string, kind: 'employee' | 'dependent') => boolean): CollectionNotice {
  const file = join(dir, 'collection-notice.json');
  const parsed = collectionNoticeSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid legal data in ${file}: ${issue!.path.join('.')}: ${issue!.message}`);
  }
  parsed.data.purposes.forEach((code, i) => {
    if (!knownPurpose(code, 'employee')) throw new Error(`Invalid legal data in ${file}: purposes.${i}: not an employee purpose in purposes.json`);
  });
  parsed.data.dependentPurposes.forEach((code, i) => {
    if (!knownPurpose(code, 'dependent')) throw new Error(`Invalid legal data in ${file}: dependentPurposes.${i}: not a dependent purpose in purposes.json`);
  });
  return parsed.data;
}
