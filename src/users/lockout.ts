/**
 * Login backoff (issue #16, findings 1 and 2; docs/security.md "Login policy").
 *
 * Each account has three attempt budgets. An attempt is *reserved* (counted as a failure) in one
 * UPDATE … RETURNING before it is checked, so parallel requests can never check more than the
 * budget allows; a correct attempt clears its budget again.
 * - `password`: wrong passwords from addresses the account never completed a login from;
 * - `known-password`: wrong passwords from its known addresses (an outsider cannot touch it);
 * - `factor`: second-factor codes (TOTP, recovery codes, activation, step-up): the hardest.
 * The first `free` attempts in a row are unhindered; after that each attempt must wait
 * base·2^(n−free) seconds after the previous one (n = failures so far), never more than `cap`,
 * so backoff is bounded: it never becomes a lock that only an admin can lift.
 */
export type LoginBudget = 'password' | 'known-password' | 'factor';

export interface BackoffRule {
  free: number;
  baseSeconds: number;
  capSeconds: number;
}

/** The staff_user columns of each budget (fixed names, never input). */
export const BUDGET_COLUMNS: Record<LoginBudget, { failures: string; until: string }> = {
  password: { failures: 'failed_attempts', until: 'locked_until' },
  'known-password': { failures: 'known_failed_attempts', until: 'known_locked_until' },
  factor: { failures: 'factor_failed_attempts', until: 'factor_locked_until' },
};

/** How long the attempt after `failures` consecutive failures must wait (0: none). */
export function backoffSeconds(rule: BackoffRule, failures: number): number {
  if (failures < rule.free) return 0;
  return Math.min(rule.capSeconds, rule.baseSeconds * 2 ** Math.min(failures - rule.free, 30));
}

/** Addresses an account remembers (newest first). */
export const KNOWN_ADDRESSES_KEPT = 10;
