import { Role } from './roles';

/**
 * The authenticated caller, set on the request by the auth guard and passed explicitly
 * into services (never a request-scoped provider).
 */
export interface Staff {
  userId: string;
  username: string;
  roles: Role[];
  sessionId: string;
  /** Last time a TOTP code was entered in this session (login counts); reveals need it recent. */
  stepUpAt: Date | null;
  /** When this person last acknowledged the handling rules, and which version. */
  trainingAcknowledgedAt: Date | null;
  trainingVersion: string | null;
  /** The outside firm (委託先) this account belongs to, if any (issue #19). */
  firmId?: string | null;
  /** Set by the guard for a firm's account inside its access window: the contract's purposes. */
  firm?: FirmAccess | null;
}

/** What the guard learned about a firm account's contract for this request. */
export interface FirmAccess {
  id: string;
  name: string;
  purposes: string[];
}

/** Where a request came from, for the audit trail. */
export interface RequestMeta {
  requestId: string;
  clientAddress: string | null;
}
