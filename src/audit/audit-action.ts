/** Everything the trail records (取扱状況の記録). Never a number in any field. */
export const AUDIT_ACTIONS = [
  'number.stored',
  'number.corrected',
  'number.revealed',
  'number.reveal-refused',
  'number.bulk-retrieved',
  'number.exported',
  'number.disposed',
  'number.keys-rewrapped',
  'subject.created',
  'subject.updated',
  'subject.purposes-notified',
  'filing.recorded',
  'disposal.postponed',
  'auth.login',
  'auth.login-failed',
  'auth.lockout',
  'auth.logout',
  'auth.totp-enrolled',
  'auth.totp-reset',
  'auth.recovery-used',
  'auth.step-up',
  'auth.password-changed',
  'user.created',
  'user.roles-changed',
  'user.deactivated',
  'user.admin-handover',
  'user.training-acknowledged',
  /** Display name changed (role changes are user.roles-changed). */
  'user.updated',
  'keys.rotated',
  /** An old KEK version retired (no data key uses it); destroyed after KEY_RETIREMENT_DELAY_DAYS. */
  'keys.retired',
  /** A retired KEK version destroyed in the keystore: backups that need it are crypto-erased. */
  'keys.destroyed',
  /** Key custody (issue #18): switched to k-of-n shares, shares re-issued, a share collected/entered/refused, unsealed. */
  'custody.enabled',
  'custody.rekeyed',
  'custody.share-collected',
  'custody.share-entered',
  'custody.share-refused',
  'custody.unsealed',
  /** Back from custody to auto-unseal (k shares or a step-up); the keystore opens with its passphrase again. */
  'custody.disabled',
  /** A share holder left (account deactivated): admins must re-issue the shares. */
  'custody.rekey-required',
  'audit.review-signed',
  'audit.exported',
  'audit.verified',
  /** Written by the sealer for a sequence number whose transaction rolled back, so the chain has no holes. */
  'audit.gap',
  /** A filing's matter closed (or its dates were corrected): the due date is recomputed. */
  'filing.updated',
  /** An admin ran "dispose of every open alarm": one summary entry beside each number.disposed. */
  'disposal.batch-run',
  /** A disposal was refused (not yet due, postponed, already disposed). */
  'disposal.refused',
  // issue #14: relationships, 未提供, early disposal, open-matter reviews
  /** Another relationship (employee, 配偶者・扶養親族, payee) added to a person, or one changed (ended, returned). */
  'subject.relationship-added',
  'subject.relationship-updated',
  /** 未提供: a request for the number (date, means, answer) was recorded. */
  'subject.number-requested',
  /** A clerk recorded that the filings that follow a departure are done (early disposal asked). */
  'disposal.early-requested',
  /** An admin approved or rejected that early disposal. */
  'disposal.early-approved',
  'disposal.early-rejected',
  /** "Still needed?" for a leaver kept by an open matter: confirmed with a reason, or the matter closed. */
  'retention.review-confirmed',
  'retention.review-closed',
  // --- compliance office (issue #19) ---
  /** Four-eyes policy set or changed (required, or waived with a reason: flagged to auditors). */
  'approval.policy-changed',
  /** Something waits for the responsible person (a disposal, a batch disposal). */
  'approval.requested',
  'approval.granted',
  'approval.declined',
  /** An approval was refused: the person who asked tried to approve it themselves. */
  'approval.refused',
  /** Roles that waited for approval (a new clerk) were granted or declined. */
  'user.roles-approved',
  /** Roles held together only as an exception (admin+clerk in a one-person company): for the auditors (issue #16). */
  'user.sod-exception',
  'user.roles-declined',
  /** Outside firms (委託先): registered, contract changed, checklist recorded, a firm account refused (outside its window). */
  'firm.registered',
  'firm.updated',
  'firm.checklist-updated',
  'firm.access-refused',
  /** The firm's OpenPGP public key (recipient of encrypted exports) was registered. */
  'firm.key-registered',
  /** Breach register (漏えい等報告, issue #19): incident opened or changed, people affected added, a report or notice recorded, a deadline alarm raised. */
  'breach.opened',
  'breach.updated',
  'breach.affected-added',
  'breach.report-recorded',
  'breach.alarm-raised',
  /** File inventory (台帳): a file kept outside the vault recorded or changed (retired). */
  'inventory.file-added',
  'inventory.file-updated',
  /** IP allow-list (issue #19): a role's allowed addresses changed; a signed-in request refused from outside them. */
  'network.allow-list-changed',
  'auth.address-refused',
  // --- collection links (issue #15); none of these ever holds a number or a token ---
  /** A clerk created a collection link for a person. */
  'collection.requested',
  'collection.reissued',
  'collection.cancelled',
  /** The link was e-mailed (details: whether it was sent). */
  'collection.mailed',
  /** The person opened the link for the first time (all that stays of an abandoned submission). */
  'collection.started',
  'collection.submitted',
  /** A clerk saw a submission's numbers or photos (purpose identity-check). */
  'collection.revealed',
  'collection.approved',
  'collection.returned',
  /** A submission's photos were deleted (after review, or at disposal). */
  'collection.images-deleted',
  /** The person (or a dependent) will not provide a number: recorded with the reason code. */
  'collection.not-provided',
  /** 取扱状況の確認 (issue #19): the responsible person signed off a month's handling report (details: month). */
  'report.signed-off',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_OUTCOMES = ['success', 'refused', 'failure'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
