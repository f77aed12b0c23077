import { Injectable } from '@nestjs/common';
import { AuditService } from '@/audit/audit.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { EnvelopeService } from '@/crypto/envelope.service';
import { MetricsService } from '@/metrics/metrics.service';
import { SubjectsService } from '@/subjects/subjects.service';
import { EncryptedNumberRow, NumbersRepository, RevealRead } from './numbers.repository';
import { RevealPolicyService } from './reveal-policy.service';
import { numberAad } from './subject-number.entity';

/**
 * The hot path (design.md): checks, then ONE statement (its own transaction) that reads the
 * ciphertext and inserts the audit entry; only after it commits is the number decrypted.
 * No lock is shared between reveals.
 */
@Injectable()
export class RevealService {
  constructor(
    private readonly policy: RevealPolicyService,
    private readonly subjects: SubjectsService,
    private readonly envelope: EnvelopeService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    private readonly repository: NumbersRepository,
  ) {}

  async reveal(subjectId: string, purpose: string | undefined, staff: Staff, request: RequestMeta): Promise<string> {
    const refusal = this.policy.callerRefusal(staff, purpose);
    if (refusal) throw await this.policy.refuse(refusal, staff, request, { subjectId, purpose });

    // One statement: read the ciphertext and insert the audit entry (only when the person was told
    // of the purpose and a number is on file). It has committed when the row arrives here.
    const [row] = await this.audit.recordWithRead<RevealRead>(
      { action: 'number.revealed', outcome: 'success', actor: staff, subjectId, purpose, request },
      this.repository.revealRead(subjectId, purpose, this.subjects.notifiedCondition('$1', '$2')),
    );
    if (!row) throw new Error('reveal: the audit entry was not recorded'); // fail closed
    const outcome = !row.notified ? ('purpose-not-notified' as const) : !row.allowed ? ('no-number' as const) : (row as Omit<EncryptedNumberRow, 'subject_id'>);

    if (outcome === 'purpose-not-notified' || outcome === 'no-number') {
      const exists = await this.subjects.get(subjectId).then(
        () => true,
        () => false,
      );
      throw await this.policy.refuse(exists ? outcome : 'no-subject', staff, request, { subjectId, purpose });
    }
    const number = this.envelope
      .decrypt({ ciphertext: outcome.ciphertext, wrappedKey: outcome.wrapped_key, keyVersion: outcome.key_version }, numberAad(outcome.record_id, subjectId))
      .toString('ascii');
    this.metrics.revealed(purpose!, 'single');
    return number;
  }
}
