import { BadRequestException, ForbiddenException, HttpException, Injectable, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AuditService } from '@/audit/audit.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { Env } from '@/config/env.schema';
import { LegalDataService } from '@/config/legal-data.service';
import { MetricsService } from '@/metrics/metrics.service';

export type RefusalReason =
  | 'no-purpose'
  | 'unknown-purpose'
  | 'purpose-not-notified'
  | 'step-up-required'
  | 'training-required'
  | 'no-number'
  | 'no-subject'
  /** An outside firm's account asked for a purpose its contract does not cover (issue #19). */
  | 'purpose-outside-contract';

const MESSAGES: Record<RefusalReason, string> = {
  'no-purpose': 'purpose is required: say what the number is used for',
  'unknown-purpose': 'purpose is not a configured purpose code',
  'purpose-not-notified': 'This person was not told of this purpose (利用目的の通知がありません)',
  'step-up-required': 'Enter a fresh second-factor code (POST /auth/step-up) before revealing numbers',
  'training-required': 'Acknowledge the current handling rules (POST /me/training) before revealing numbers',
  'no-number': 'No number is on file for this person (never stored, or disposed of)',
  'no-subject': 'No such person',
  'purpose-outside-contract': "This purpose is not among the outside firm's contract purposes (委託契約の範囲外)",
};

/** An HTTP error for a refusal; its stable code (`reveal.<reason>`) tells clients which rule refused. */
export function refusalError(reason: RefusalReason): HttpException {
  const body = { code: `reveal.${reason}`, message: MESSAGES[reason] };
  switch (reason) {
    case 'no-purpose':
    case 'unknown-purpose':
      return new BadRequestException(body);
    case 'no-number':
    case 'no-subject':
      return new NotFoundException(body);
    case 'purpose-not-notified':
    case 'step-up-required':
    case 'training-required':
    case 'purpose-outside-contract':
      return new ForbiddenException(body);
  }
}

/**
 * The rules a caller must meet before any number leaves the vault: a configured purpose,
 * a recent second factor (step-up) and current handling-rules training. Refusals are audited.
 */
@Injectable()
export class RevealPolicyService {
  private readonly stepUpMs: number;
  private readonly trainingMonths: number;

  constructor(
    config: ConfigService<Env, true>,
    private readonly legal: LegalDataService,
    private readonly clock: ClockService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
  ) {
    this.stepUpMs = config.get('STEP_UP_MINUTES', { infer: true }) * 60_000;
    this.trainingMonths = config.get('TRAINING_VALID_MONTHS', { infer: true });
  }

  /** The first rule the caller breaks for this purpose, or null. */
  callerRefusal(staff: Staff, purpose: string | undefined): RefusalReason | null {
    if (!purpose) return 'no-purpose';
    if (!this.legal.purpose(purpose)) return 'unknown-purpose';
    if (staff.firmId && !staff.firm?.purposes.includes(purpose)) return 'purpose-outside-contract';
    const now = this.clock.now();
    if (!staff.stepUpAt || now.getTime() - staff.stepUpAt.getTime() > this.stepUpMs) return 'step-up-required';
    if (!this.trainingCurrent(staff, now)) return 'training-required';
    return null;
  }

  trainingCurrent(staff: Pick<Staff, 'trainingVersion' | 'trainingAcknowledgedAt'>, now = this.clock.now()): boolean {
    if (staff.trainingVersion !== this.legal.handlingRules.version || !staff.trainingAcknowledgedAt) return false;
    const expires = new Date(staff.trainingAcknowledgedAt);
    expires.setMonth(expires.getMonth() + this.trainingMonths);
    return expires > now;
  }

  /** Records the refusal (its own commit), then returns the error to throw. */
  async refuse(
    reason: RefusalReason,
    staff: Staff,
    request: RequestMeta,
    facts: { subjectId?: string | null; purpose?: string | null; bulk?: boolean },
  ): Promise<HttpException> {
    const knownPurpose = facts.purpose && this.legal.purpose(facts.purpose) ? facts.purpose : null;
    await this.audit.record({
      action: 'number.reveal-refused',
      outcome: 'refused',
      actor: staff,
      subjectId: facts.subjectId ?? null,
      // an unknown purpose string is the caller's text: keep it out of the purpose column
      purpose: knownPurpose,
      request,
      details: { reason, ...(facts.bulk ? { bulk: true } : {}) },
    });
    this.metrics.refused(reason);
    return refusalError(reason);
  }
}
