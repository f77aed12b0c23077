import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ClockService } from '@/config/clock.service';
import { LegalDataService } from '@/config/legal-data.service';
import { ActorSpan, fourEyesWaived, slidingHourOver, useOutsideHours } from './audit-alerts.repository';

export type AlertType = 'reveals-per-hour' | 'outside-working-hours' | 'refused-reveals' | 'four-eyes-waived';

export interface AuditAlert {
  type: AlertType;
  actorId: string | null;
  actorUsername: string | null;
  /** Entries involved (over the limit, or outside hours). */
  count: number;
  /** The configured limit, where the rule has one. */
  limit: number | null;
  from: string;
  to: string;
  firstSeq: string;
  lastSeq: string;
  message: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Unusual use, computed from the trail with the thresholds in config/alerts.json:
 * - one person revealing more numbers than `maxRevealsPerHour` within any sliding hour
 *   (single reveals, `number.revealed`; bulk retrieval for a filing is expected volume);
 * - reveals or bulk retrievals outside working hours (local time in `workingHours.timezone`,
 *   weekends too when `weekdaysOnly`; public holidays are not known to the vault);
 * - more refused reveals (`number.reveal-refused`) than `maxRefusedRevealsPerHour` within an hour.
 */
@Injectable()
export class AuditAlertsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly legal: LegalDataService,
    private readonly clock: ClockService,
  ) {}

  async alerts(range: { from?: Date; to?: Date } = {}): Promise<{ items: AuditAlert[]; nextCursor: null; from: string; to: string }> {
    const to = range.to ?? this.clock.now();
    const from = range.from ?? new Date(to.getTime() - 7 * DAY_MS);
    const rules = this.legal.alertRules;
    const items: AuditAlert[] = [];

    for (const row of await slidingHourOver(this.dataSource, 'number.revealed', from, to, rules.maxRevealsPerHour)) {
      items.push({
        type: 'reveals-per-hour',
        ...this.common(row),
        count: row.peak,
        limit: rules.maxRevealsPerHour,
        message: `${row.actorUsername ?? 'unknown'} revealed ${row.peak} numbers within one hour (limit ${rules.maxRevealsPerHour})`,
      });
    }
    for (const row of await slidingHourOver(this.dataSource, 'number.reveal-refused', from, to, rules.maxRefusedRevealsPerHour)) {
      items.push({
        type: 'refused-reveals',
        ...this.common(row),
        count: row.peak,
        limit: rules.maxRefusedRevealsPerHour,
        message: `${row.actorUsername ?? 'unknown'} was refused ${row.peak} reveals within one hour (limit ${rules.maxRefusedRevealsPerHour})`,
      });
    }
    const hours = rules.workingHours;
    const outside = await useOutsideHours(this.dataSource, from, to, hours);
    for (const row of outside) {
      items.push({
        type: 'outside-working-hours',
        ...this.common(row),
        count: row.count,
        limit: null,
        message: `${row.actorUsername ?? 'unknown'} used ${row.count} number(s) outside working hours on ${row.day} (${hours.start}-${hours.end} ${hours.timezone}${hours.weekdaysOnly ? ', weekdays' : ''})`,
      });
    }
    // Issue #19: a four-eyes waiver, and everything approved alone under it, is flagged to auditors.
    const waived = await fourEyesWaived(this.dataSource, from, to);
    for (const row of waived) {
      items.push({
        type: 'four-eyes-waived',
        ...this.common(row),
        count: row.count,
        limit: null,
        message: `${row.actorUsername ?? 'unknown'}: ${row.count} action(s) without a second person under a four-eyes waiver (${row.actions.join(', ')})`,
      });
    }
    items.sort((a, b) => a.from.localeCompare(b.from));
    return { items, nextCursor: null, from: from.toISOString(), to: to.toISOString() };
  }

  private common(row: ActorSpan) {
    return {
      actorId: row.actorId,
      actorUsername: row.actorUsername,
      from: new Date(row.firstAt).toISOString(),
      to: new Date(row.lastAt).toISOString(),
      firstSeq: row.firstSeq,
      lastSeq: row.lastSeq,
    };
  }
}
