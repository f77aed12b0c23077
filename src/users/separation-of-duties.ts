import { BadRequestException, ForbiddenException, HttpException } from '@nestjs/common';
import type { Role } from '@/common/auth/roles';
import type { ErrorCode } from '@/common/http/error-codes';

/**
 * Separation of duties (issue #16, finding 4; docs/security.md "Who may hold which role").
 * THE one place that says which roles one account may hold together and who may change them;
 * every path that sets roles (create, update, approval of pending roles, admin handover) asks it.
 * Extend the pairs here (e.g. for `responsible`).
 *
 * - Nobody changes their own roles (an admin could otherwise make itself clerk and auditor).
 * - clerk + auditor: never on one account (the auditor would review their own reveals).
 * - admin + clerk: only where the company has one person doing everything
 *   (SOD_ONE_PERSON_COMPANY=true); then it is an exception, flagged in the trail for the
 *   auditors and shown in the staff inventory (`sodException`).
 */
export interface SodDecision {
  /** Set when the roles are allowed only as a flagged exception. */
  exception: 'admin+clerk' | null;
}

/** Pairs that no account may hold together, whatever the company size. */
export const FORBIDDEN_PAIRS: readonly [Role, Role, ErrorCode][] = [
  ['clerk', 'auditor', 'roles.clerk-and-auditor'],
  // issue #19: auditors check the responsible person's approvals and monthly sign-off
  ['responsible', 'auditor', 'roles.responsible-and-auditor'],
];

/** Pairs allowed only in a one-person company, as a flagged exception. */
export const ONE_PERSON_PAIRS: readonly [Role, Role, SodDecision['exception']][] = [['admin', 'clerk', 'admin+clerk']];

export function sodException(roles: readonly Role[]): SodDecision['exception'] {
  for (const [a, b, exception] of ONE_PERSON_PAIRS) if (roles.includes(a) && roles.includes(b)) return exception;
  return null;
}

/**
 * Checks the roles an account will hold (granted and pending together), set by `actorId` on
 * `targetId` (null while the account is being created). Throws the 4xx to answer; else says
 * whether the combination is a flagged exception.
 */
export function checkSeparationOfDuties(
  roles: readonly Role[],
  context: { actorId: string | null; targetId: string | null; rolesChanged: boolean; onePersonCompany: boolean },
): SodDecision {
  if (context.rolesChanged && context.actorId && context.targetId && context.actorId === context.targetId) {
    throw new ForbiddenException({ code: 'roles.own-change', message: 'Nobody may change their own roles: ask another admin' });
  }
  for (const [a, b, code] of FORBIDDEN_PAIRS) {
    if (roles.includes(a) && roles.includes(b)) {
      throw new BadRequestException({ code, message: `One account may not hold both ${a} and ${b} (separation of duties): use two accounts` });
    }
  }
  const exception = sodException(roles);
  if (exception && !context.onePersonCompany) {
    throw new BadRequestException({
      code: 'roles.admin-and-clerk',
      message: 'One account may hold admin and clerk only in a one-person company (setting SOD_ONE_PERSON_COMPANY): give the roles to two people',
    }) as HttpException;
  }
  return { exception };
}
