import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '@/audit/audit.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { EnvelopeService } from '@/crypto/envelope.service';
import { MetricsService } from '@/metrics/metrics.service';
import { SubjectsService } from '@/subjects/subjects.service';
import { RevealPolicyService } from './reveal-policy.service';
import { numberAad } from './subject-number.entity';

interface EncryptedRow {
  record_id: string;
  ciphertext: Buffer;
  wrapped_key: Buffer;
  key_version: number;
}

/**
 * The hot path (design.md): checks, then ONE transaction that reads the ciphertext and inserts
 * the audit entry; only after COMMIT is the number decrypted. No lock is shared between reveals.
 */
@Injectable()
export class RevealService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly policy: RevealPolicyService,
    private readonly subjects: SubjectsService,
    private readonly envelope: EnvelopeService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
  ) {}

  async reveal(subjectId: string, purpose: string | undefined, staff: Staff, request: RequestMeta): Promise<string> {
    const refusal = this.policy.callerRefusal(staff, purpose);
    if (refusal) throw await this.policy.refuse(refusal, staff, request, { subjectId, purpose });

    const outcome = await this.dataSource.transaction(async (manager) => {
      if (!(await this.subjects.isNotified(subjectId, purpose!, manager))) return 'purpose-not-notified' as const;
      const rows: EncryptedRow[] = await manager.query(
        'SELECT record_id, ciphertext, wrapped_key, key_version FROM subject_number WHERE subject_id = $1',
        [subjectId],
      );
      if (rows.length === 0) return 'no-number' as const;
      await this.audit.record({ action: 'number.revealed', outcome: 'success', actor: staff, subjectId, purpose, request }, manager);
      return rows[0];
    }); // committed: the audit entry is durable before any plaintext exists

    if (outcome === 'purpose-not-notified' || outcome === 'no-number') {
      const exists = await this.subjects.get(subjectId).then(() => true, () => false);
      throw await this.policy.refuse(exists ? outcome : 'no-subject', staff, request, { subjectId, purpose });
    }
    const number = this.envelope
      .decrypt(
        { ciphertext: outcome.ciphertext, wrappedKey: outcome.wrapped_key, keyVersion: outcome.key_version },
        numberAad(outcome.record_id, subjectId),
      )
      .toString('ascii');
    this.metrics.revealed(purpose!, 'single');
    return number;
  }
}
