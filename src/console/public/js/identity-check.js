// The identity-document rule (番号確認・身元確認) as the server checks it (src/numbers/identity-rule.ts),
// from config/identity-documents.json served by GET /console/reference (`identityDocuments`,
// `identityRule`): the form says what is missing before anything is sent. The server checks again.
// No imports, so src/console/identity-check-browser.spec.ts can load this very file.

/** null when the documents satisfy the rule, else the error code (a dictionary key `error.<code>`). */
export function identityDocumentsProblem(documents, rule, numberDocument, identityDocuments) {
  const numberDoc = documents.find((d) => d.code === numberDocument);
  if (!numberDoc || !numberDoc.numberProof) return 'identity.number-document-invalid';
  const docs = identityDocuments.map((code) => documents.find((d) => d.code === code));
  if (docs.some((d) => !d)) return 'identity.document-unknown';
  const coveredByCard = numberDoc.identityProof === 'both' || docs.some((d) => d.identityProof === 'both');
  const photo = docs.filter((d) => d.identityProof === 'photo').length;
  const nonPhoto = docs.filter((d) => d.identityProof === 'non-photo').length;
  if (!coveredByCard && photo < rule.photo && nonPhoto < rule.nonPhoto) return 'identity.documents-insufficient';
  return null;
}
