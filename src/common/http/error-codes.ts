/**
 * Every machine code an error answer can carry (`{ statusCode, code, error, message }`), with what
 * it means. Throw sites build exceptions as `new XxxException({ code, message })` (codes like `area.reason`);
 * the console shows a Japanese (or English) text per code (`error.<code>` in
 * src/console/public/js/i18n.js), and `error-codes.spec.ts` holds the three to each other: every code
 * here has both texts, and no throw site uses a code missing here. The OpenAPI document's
 * `ErrorResponse` schema lists them as the enum of `code`. `message` stays English for API users.
 */
export const ERROR_CODES = {
  // Fallbacks: an exception built without a code (framework errors, unknown routes) answers http.<status>.
  'http.400': 'Bad request',
  'http.401': 'Not signed in',
  'http.403': 'Forbidden',
  'http.404': 'Not found (no such route or resource)',
  'http.405': 'Method not allowed',
  'http.409': 'Conflict',
  'http.413': 'Request body too large',
  'http.414': 'URI too long',
  'http.415': 'Unsupported media type',
  'http.429': 'Too many requests',
  'http.503': 'Service unavailable',
  internal: 'Unexpected server error (the answer carries a correlation id for the log)',
  'database.unavailable': 'The database is unavailable; try again shortly',

  // Request shape (global validation pipe, JSON body parser)
  'validation.failed': 'One or more fields are invalid; `fields` lists each field and the constraints it failed',
  'input.nul': 'Text must not contain NUL characters',
  'input.too-deep': 'Input nested too deeply',
  'input.number-like': 'A free-text field holds a number-like run of digits (it could be a personal number)',
  'input.unreadable': 'The request body, query or path could not be read',
  'body.not-json': 'The request body is not valid JSON',
  'body.unsupported-type': 'The request body must be JSON',
  'url.invalid': 'The URL could not be read (bad percent-encoding)',
  'url.too-long': 'A path parameter is too long',

  // Sessions and access
  'auth.no-access-rule': 'The route declares no access rule (a programming error)',
  'auth.token-required': 'A session token is required',
  'session.invalid': 'The session is invalid or has expired',
  'auth.role-required': 'The caller lacks the role this action needs',
  'auth.busy': 'Password checks are at their limit (login storm); retry after Retry-After',

  // Login, second factor, passwords
  'login.wrong-credentials': 'Wrong username or password',
  'login.rate-limited': 'Too many login attempts from this address',
  'login.challenge-invalid': 'The login challenge is invalid or has expired',
  'login.wrong-step': 'The login challenge expects another step',
  'login.wrong-code': 'The TOTP code is wrong or was already used (login)',
  'login.wrong-recovery-code': 'The recovery code is wrong or was already used',
  'enrol.not-started': 'TOTP enrolment was not started',
  'enrol.wrong-code': 'The TOTP code does not match the secret being enrolled',
  'step-up.wrong-code': 'The step-up TOTP code is wrong or was already used',
  'password.wrong-current': 'The current password is wrong',
  'password.too-short': 'The new password is too short',
  'password.too-long': 'The new password is too long',
  'password.contains-username': 'The new password contains the username',
  'password.repeated-character': 'The new password is one character repeated',
  'password.unchanged': 'The new password equals the current one',

  // Staff accounts
  'username.invalid': 'The username breaks the username rule',
  'username.taken': 'The username is taken (usernames are never reused)',
  'user.not-found': 'No such staff account',
  'user.deactivated': 'A deactivated account cannot be changed',
  'user.already-deactivated': 'The account is already deactivated',
  'user.last-admin': 'The last active admin cannot be demoted or deactivated',
  'handover.to-self': 'The admin role must be handed to someone else',
  'handover.target-inactive': 'The new admin must be an active account',
  'handover.not-admin': 'Only an admin can hand over the admin role',
  'roles.own-change': 'Nobody may change their own roles',
  'roles.admin-and-clerk': 'admin and clerk together only in a one-person company',
  'roles.clerk-and-auditor': 'clerk and auditor may never be held together',
  'training.wrong-version': 'The acknowledged version is not the current handling rules',

  // People and purposes
  'subject.not-found': 'No such person',
  'subject.code-taken': 'A person with this code already exists',
  'subject.employee-not-allowed': 'Only a dependent has an employee',
  'subject.employee-not-found': 'The employee does not exist',
  'subject.left-before-hired': 'The leave date is before the hire date',
  'purpose.unknown': 'Not a configured purpose code',
  'purpose.not-applicable': 'The purpose does not apply to this kind of person',

  // Numbers and identity checks
  'number.not-string': 'The number must be text',
  'number.too-long': 'The number input is too long',
  'number.empty': 'The number is empty',
  'number.not-digits': 'The number may contain only digits, spaces and hyphens',
  'number.wrong-length': 'The number must have 12 digits',
  'number.check-digit': 'The check digit is wrong',
  'identity.number-document-invalid': 'The number document does not prove the number',
  'identity.document-unknown': 'Not a known identity document',
  'identity.documents-insufficient': 'One photo ID or two other documents (or the My Number card) are needed',

  // Reveals
  'reveal.no-purpose': 'A purpose is required',
  'reveal.unknown-purpose': 'Not a configured purpose code',
  'reveal.purpose-not-notified': 'The person was not told of this purpose',
  'reveal.step-up-required': 'A fresh second-factor code is needed before a reveal',
  'reveal.training-required': 'The current handling rules must be acknowledged before a reveal',
  'reveal.no-number': 'No number is on file for this person',
  'reveal.no-subject': 'No such person',
  'bulk.selection-conflict': 'Give either subjectIds, or kind and/or activeInYear, not both',
  'bulk.selection-missing': 'Say whom to retrieve',

  // Retention, filings, disposal
  'alarm.not-found': 'No such alarm',
  'alarm.not-postponable': 'Only an open or postponed alarm can be postponed',
  'postpone.until-invalid': 'until is not a date',
  'postpone.until-past': 'until must be in the future',
  'filing.not-found': 'No such filing for this person',
  'filing.unknown-document-type': 'Not a configured retention rule',
  'filing.nothing-to-change': 'Nothing to change',
  'filing.no-closing-date': 'This document type has no closing date',
  'disposal.postponed': 'The alarm is postponed',
  'disposal.not-open': 'The alarm is not open',
  'disposal.not-due': 'The person is not due for disposal by current data',
  'disposal.filings-unconfirmed': 'No filing is recorded for this person; batch disposal needs them confirmed one by one',
  'disposal.alarm-ids-required': 'A batch disposal must list the alarms the admin was shown (alarmIds); without the list nothing is disposed of',

  // Collection links and submissions (issue #15)
  'collection.multipart-required': 'The submission must be multipart/form-data',
  'collection.form-field': 'Unexpected form field',
  'collection.form-too-large': 'The data field is too large',
  'collection.photo-field': 'A photo field has a wrong name',
  'collection.too-many-parts': 'Too many photos or fields',
  'collection.identity-documents': 'The identity documents named do not meet the rule (one with a photo, or two without)',
  'collection.number-invalid': 'A number in the submission is not a valid My Number (check digit)',
  'collection.number-or-reason': 'Give either a number or a reason for not providing it',
  'collection.number-repeated': 'The same number appears twice in the submission',
  'collection.photo-missing': 'A photo the identity rules ask for is missing',
  'collection.photo-repeated': 'Two photos of the same document side',
  'collection.photo-unexpected': 'A photo was sent that the documents named do not ask for',
  'collection.relationship-unknown': 'A dependent’s relationship is not one the notice lists',
  'collection.multipart-invalid': 'The form could not be read',
  'collection.form-missing': 'The data field is missing',
  'collection.form-invalid': 'The data field is invalid',
  'collection.no-people': 'Say whom the links are for',
  'collection.person-not-found': 'A person in the list does not exist',
  'collection.not-an-employee': 'Links are for employees only',
  'collection.request-not-found': 'No such collection request',
  'collection.request-not-open': 'The link is not open',
  'collection.link-cancelled': 'The link was cancelled',
  'collection.link-used': 'The link was already used',
  'collection.link-expired': 'The link has expired',
  'collection.link-unknown': 'The link is not valid',
  'collection.mail-not-configured': 'No SMTP server is configured',
  'collection.submission-not-found': 'No such submission',
  'collection.submission-not-waiting': 'The submission was already reviewed',
  'collection.image-not-found': 'No such photo',
  'collection.number-on-another-record': 'The number is on file for another person',
  'collection.reason-unknown': 'Not a configured return reason',
  'collection.notice-changed': 'The notice changed while the page was open',
  'collection.image-type': 'A photo must be JPEG, PNG or HEIC',
  'collection.image-unreadable': 'The photo could not be read',
  'collection.image-too-many-pixels': 'The photo has too many pixels',
  'collection.image-too-large': 'The photo file is too large',
  'collection.rate-limited-address': 'Too many requests from this address',
  'collection.rate-limited-link': 'Too many attempts with this link',

  // Added by other features (relationships #14, approvals, early disposal, key retirement, open matters)
  'alarm.not-open': 'The alarm is not open',
  'approval.decided': 'The approval request was already decided',
  'approval.not-found': 'No such approval request',
  'approval.nothing-pending': 'No roles are waiting for approval',
  'approval.same-person': 'The requester cannot approve their own request',
  'approval.unknown-kind': 'Unknown approval request kind',
  'auth.password-backoff': 'Too many wrong current passwords; wait',
  'auth.second-factor-backoff': 'Too many wrong codes; wait, then log in again',
  'date.out-of-range': 'A date lies outside 1900-01-01..2200-12-31',
  'early-disposal.decided': 'The early disposal was already decided',
  'early-disposal.done-before-leaving': 'Filings done before the relationship ended',
  'early-disposal.done-in-future': 'filingsDoneOn is in the future',
  'early-disposal.not-found': 'No such early disposal',
  'early-disposal.not-left': 'The person has no ended relationship',
  'early-disposal.own-request': 'The recorder cannot decide their own request',
  'early-disposal.pending': 'An early disposal is already waiting',
  'early-disposal.reason-required': 'A reason is required to reject',
  'filing.closed-in-future': 'closedAt is in the future',
  'filing.submitted-in-future': 'submittedAt is in the future',
  'filing.person-is-filer': 'people lists others, not the filer',
  'filing.person-unknown': 'people must be registered people',
  'filing.tax-year-conflict': 'taxYear and fiscalYear differ',
  'filing.tax-year-required': 'This document type needs taxYear',
  'filing.tax-year-too-late': 'taxYear is later than next year',
  'identity-check.in-future': 'The identity check time is in the future',
  'keys.version-current': 'The key version is the current one',
  'keys.version-in-use': 'The key version still wraps data keys',
  'keys.version-retired': 'The key version is already retired',
  'keys.version-unknown': 'The key version is not in the keystore',
  'number-request.in-future': 'requestedOn is in the future',
  'number.on-file-for-another-person': 'The number is on file for another person',
  'purposes.notified-in-future': 'notifiedAt is in the future',
  'relationship.duplicate': 'The person already holds this relationship',
  'relationship.employee-invalid': 'employeeId is not an existing employee',
  'relationship.employee-only-for-dependent': 'employeeId only for a dependent relationship',
  'relationship.ends-before-start': 'The end is before the start',
  'relationship.not-found': 'No such relationship for this person',
  'relationship.nothing-to-change': 'Nothing to change',
  'relationship.own-dependent': 'A person cannot be their own dependent',
  'review.closed-in-future': 'closedAt is in the future',
  'review.decided': 'The review was already decided',
  'review.not-found': 'No such review',

  // Audit proofs, outside firms (other features)
  'audit.proof-out-of-range': 'The proof asks for entries outside the signed tree',
  'audit.tree-incomplete': 'An entry is missing from the database',
  'audit.tree-head-unknown': 'No signed tree head yet',
  'audit.head-signature-invalid': 'The tree head signature does not verify',
  'firm.contract-dates': 'The contract ends before it starts',
  'firm.access-window': 'The access window ends before it starts',
  'firm.unknown-purpose': 'Not a configured purpose',
  'firm.unknown-checklist-item': 'Not a configured checklist item',
  'firm.no-contract': 'The outside firm has no contract on file',
  'firm.outside-window': "Outside the firm's access window",
  'firm.outside-contract': "Outside the firm's contract period",
  'firm.not-found': 'No such outside firm',
  'early-disposal.needs-responsible': 'The early disposal needs the responsible person',
  'roles.responsible-and-auditor': 'responsible and auditor may not be held together',
  'reveal.purpose-outside-contract': "The purpose is outside the outside firm's contract",

  // Custody, exports, firm keys (other features)
  'custody.threshold-too-high': 'Threshold above the number of holders',
  'custody.holder-inactive': 'A key holder is not active',
  'custody.no-share-waiting': 'No share is waiting for this holder',
  'custody.not-sealed': 'The vault is not sealed',
  'custody.share-malformed': 'The share could not be read',
  'custody.share-stale': 'The share belongs to an earlier split',
  'custody.share-unknown': 'The share is not known',
  'custody.share-duplicate': 'The share was already given',
  'custody.unseal-failed': 'Unsealing failed',
  'custody.not-in-custody': 'The vault is already in auto-unseal mode',
  'custody.shares-too-few': 'Fewer valid shares than the threshold',
  'custody.step-up-required': 'A recent step-up (or k shares) is needed',
  'custody.passphrase-not-set': 'KEYSTORE_PASSPHRASE is not set for auto-unseal',
  'keys.retirement-needs-responsible': 'Four eyes are required: the responsible person approves the retirement',
  'vault.sealed': 'The vault is sealed',
  'export.no-recipient-key': 'The firm has no recipient key',
  'export.other-firm': "Another firm's export",
  'export.purpose-outside-contract': 'The purpose is outside the contract',
  'firm.key-unreadable': 'The key could not be read',
  'firm.key-private': 'A private key was given',
  'firm.key-cannot-encrypt': 'The key cannot encrypt',
  'metrics.token-required': 'Metrics need a token',

  // Audit, metrics
  'audit.review-beyond-end': 'upToSeq is beyond the last entry',
  'audit.range-reversed': 'The search range starts after it ends (from is after to)',
  'audit.search-too-broad': 'The person or actor search matches too many; give more of the name or the code',
  'metrics.off': 'Metrics are switched off',
  'metrics.token-wrong': 'Metrics need the metrics token',
  'metrics.forbidden': 'Metrics are served on loopback or with the metrics token only',

  // Breach register (漏えい等報告, issue #19)
  'breach.not-found': 'No such incident in the breach register',
  'breach.discovered-in-future': 'The discovery time is in the future',
  'breach.occurred-range': 'The incident ends before it starts',
  'breach.range': 'The time range of reveals ends before it starts',
  'breach.unknown-people': 'Some listed ids are not people on file (nothing was added)',
  'breach.closed': 'The incident is closed',
  'breach.final-report-missing': 'The report duty applies and no final report is recorded',
  'breach.report-recorded': 'That report is already recorded',
  'breach.sent-in-future': 'The sending time is in the future',
  'breach.sent-before-discovery': 'The report is dated before the incident was discovered',

  // File inventory (台帳, issue #19)
  'inventory.file-not-found': 'No such file in the inventory',
  'inventory.unknown-purpose': 'Not a configured purpose',

  // IP allow-list per role (issue #19)
  'network.address-not-allowed': "The account's role may not be used from this address",
  'network.cidr-invalid': 'Not an address or CIDR block',
  'network.would-lock-out': 'Your own address is outside the new list',
  'report.bad-month': 'The month is not YYYY-MM between 2000-01 and 2200-12',
  'report.month-not-ended': 'The month has not ended yet: it can be signed off from the next month',
  'report.already-signed': 'The month is already signed off',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The body of a coded exception: `new BadRequestException(coded('x.y', 'English reason'))`. */
export function coded(
  code: ErrorCode,
  message: string,
  params?: Record<string, string | number>,
): { code: ErrorCode; message: string; params?: Record<string, string | number> } {
  return params ? { code, message, params } : { code, message };
}

/** The OpenAPI schema of every error answer (`components.schemas.ErrorResponse`). */
export const ERROR_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['statusCode', 'code', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer', example: 409 },
    code: {
      type: 'string',
      enum: Object.keys(ERROR_CODES),
      description:
        'Stable machine code (see src/common/http/error-codes.ts): ' +
        Object.entries(ERROR_CODES)
          .map(([c, d]) => `${c}: ${d}`)
          .join('; '),
    },
    error: { type: 'string', example: 'Conflict' },
    message: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], description: 'English reason for API users' },
    params: {
      type: 'object',
      additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }] },
      description: 'Values the reason names (dates, counts), never personal data',
    },
    fields: {
      type: 'array',
      description: 'validation.failed: each invalid field and the constraints it failed',
      items: { type: 'object', properties: { field: { type: 'string' }, constraints: { type: 'array', items: { type: 'string' } } } },
    },
    correlationId: { type: 'string', description: 'internal, database.unavailable: the request id to quote' },
  },
} as const;
