/**
 * 番号確認 and 身元確認 (domain.md, 番号法16条): the number document must prove the number; the
 * identity documents must hold the My Number card (it covers both), or `photo` photo IDs, or
 * `nonPhoto` other documents. The counts come from config/identity-documents.json (`rule`).
 * The console holds the same rule in src/console/public/js/identity-check.js (a spec compares them).
 */
export interface IdentityDocumentFacts {
  code: string;
  numberProof: boolean;
  identityProof: 'both' | 'photo' | 'non-photo' | 'none';
}

export interface IdentityRule {
  photo: number;
  nonPhoto: number;
}

export type IdentityProblem = 'identity.number-document-invalid' | 'identity.document-unknown' | 'identity.documents-insufficient';

/** null when the documents satisfy the rule, else the error code that says why. */
export function identityDocumentsProblem(
  documents: readonly IdentityDocumentFacts[],
  rule: IdentityRule,
  numberDocument: string,
  identityDocuments: readonly string[],
): IdentityProblem | null {
  const numberDoc = documents.find((d) => d.code === numberDocument);
  if (!numberDoc?.numberProof) return 'identity.number-document-invalid';
  const docs = identityDocuments.map((code) => documents.find((d) => d.code === code));
  if (docs.some((d) => !d)) return 'identity.document-unknown';
  const known = docs as IdentityDocumentFacts[];
  const coveredByCard = numberDoc.identityProof === 'both' || known.some((d) => d.identityProof === 'both');
  const photo = known.filter((d) => d.identityProof === 'photo').length;
  const nonPhoto = known.filter((d) => d.identityProof === 'non-photo').length;
  if (!coveredByCard && photo < rule.photo && nonPhoto < rule.nonPhoto) return 'identity.documents-insufficient';
  return null;
}
