import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { loadLegalData } from '@/config/legal-data';
import { identityDocumentsProblem } from '@/numbers/identity-rule';

/**
 * The console checks the identity documents before sending (src/console/public/js/identity-check.js,
 * no imports). Load that very file and hold it to the server's rule on every combination of the
 * configured documents, so the form never refuses what the server accepts, or lets through what it refuses.
 */
function loadBrowserModule(): { identityDocumentsProblem: typeof identityDocumentsProblem } {
  const source = readFileSync(join(__dirname, 'public', 'js', 'identity-check.js'), 'utf8').replace(/^export /gm, '');
  const sandbox: Record<string, unknown> = {};
  runInNewContext(`${source}\nexports.identityDocumentsProblem = identityDocumentsProblem;`, { exports: sandbox });
  return sandbox as ReturnType<typeof loadBrowserModule>;
}

describe("the console's identity-document check (browser module) agrees with the server", () => {
  const browser = loadBrowserModule();
  const legal = loadLegalData(join(__dirname, '..', '..', 'config'));
  const docs = legal.identityDocuments;
  const candidates = docs.filter((d) => d.identityProof !== 'none').map((d) => d.code);

  it('reads the rule from config/identity-documents.json', () => {
    expect(legal.identityRule).toEqual({ photo: 1, nonPhoto: 2 });
  });

  it('gives the same answer for every number document and every set of identity documents', () => {
    let compared = 0;
    const seen = new Set<string | null>();
    for (const numberDocument of [...docs.map((d) => d.code), 'notification-letter']) {
      for (let mask = 0; mask < 1 << candidates.length; mask++) {
        const chosen = candidates.filter((_, i) => mask & (1 << i));
        const server = identityDocumentsProblem(docs, legal.identityRule, numberDocument, chosen);
        expect([numberDocument, chosen, browser.identityDocumentsProblem(docs, legal.identityRule, numberDocument, chosen)]).toEqual([
          numberDocument,
          chosen,
          server,
        ]);
        seen.add(server);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(500);
    expect([...seen].sort()).toEqual(['identity.documents-insufficient', 'identity.number-document-invalid', null].sort());
  });

  it.each([
    ['my-number-card', [], null],
    ['resident-record-with-number', ['drivers-licence'], null],
    ['resident-record-with-number', ['health-insurance-card'], 'identity.documents-insufficient'],
    ['resident-record-with-number', ['health-insurance-card', 'pension-book'], null],
    ['drivers-licence', ['passport'], 'identity.number-document-invalid'],
    ['resident-record-with-number', ['library-card'], 'identity.document-unknown'],
  ])('%s + %j → %s', (numberDocument, chosen, expected) => {
    expect(browser.identityDocumentsProblem(docs, legal.identityRule, numberDocument, chosen)).toBe(expected);
    expect(identityDocumentsProblem(docs, legal.identityRule, numberDocument, chosen)).toBe(expected);
  });
});
