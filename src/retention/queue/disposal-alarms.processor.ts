import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bull';
import { AlarmsService } from '../alarms.service';
import { SubjectDueJob } from './queue.constants';

/**
 * Runs the queue's jobs. Both kinds call the same alarm-raising statement (AlarmsService), which
 * reads the due date from the database and is idempotent, so a late, early, repeated or
 * duplicated job raises at most one alarm per person.
 */
@Injectable()
export class DisposalAlarmsProcessor {
  private readonly logger = new Logger(DisposalAlarmsProcessor.name);

  constructor(private readonly alarms: AlarmsService) {}

  async subjectDue(job: Job<SubjectDueJob>): Promise<{ raised: number }> {
    const result = await this.alarms.raiseDue('queue', job.data.subjectId);
    if (result.raised) this.logger.log(`Disposal alarm raised by the queue (job ${job.id})`);
    return { raised: result.raised };
  }

  async sweep(): Promise<{ raised: number; reopened: number; reviews: number } | null> {
    return this.alarms.sweep('sweep', { wait: false });
  }
}
