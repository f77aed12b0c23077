import { PageDto } from '@/common/http/page.dto';
import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';

// Response shapes for the OpenAPI document (issue #20): what the routes answer, so generated clients are typed.

export class BreachViewDutyTriggersItemDto {
  @ApiProperty({ type: String })
  code: string;

  @ApiProperty({ type: String })
  label: string;

  @ApiProperty({ type: String })
  basis: string;
}

export class BreachViewDutyDto {
  @ApiProperty({ type: Boolean })
  applies: boolean;

  @ApiProperty({ type: () => BreachViewDutyTriggersItemDto, isArray: true })
  triggers: BreachViewDutyTriggersItemDto[];

  @ApiProperty({ type: 'integer' })
  threshold: number;

  @ApiProperty({ type: String })
  basis: string;

  @ApiPropertyOptional({ type: String })
  note?: string;
}

export class BreachViewDeadlinesPreliminaryDto {
  @ApiProperty({ type: String })
  label: string;

  @ApiProperty({ type: String, format: 'date-time' })
  alarmAt: string;

  @ApiProperty({ type: String, format: 'date' })
  dueOn: string;

  @ApiProperty({ type: String, format: 'date-time' })
  dueAt: string;

  @ApiProperty({ type: String })
  basis: string;

  @ApiPropertyOptional({ type: String })
  note?: string;
}

export class BreachViewDeadlinesFinalDto {
  @ApiProperty({ type: String })
  label: string;

  @ApiProperty({ type: 'integer' })
  days: number;

  @ApiProperty({ type: String, format: 'date-time' })
  alarmAt: string;

  @ApiProperty({ type: String, format: 'date' })
  dueOn: string;

  @ApiProperty({ type: String, format: 'date-time' })
  dueAt: string;

  @ApiProperty({ type: String })
  basis: string;

  @ApiProperty({ type: Boolean })
  unlawfulPurpose: boolean;
}

export class BreachViewDeadlinesCountingDto {
  @ApiProperty({ type: Boolean })
  firstDayCounted: boolean;

  @ApiProperty({ type: Boolean })
  extendOverHolidays: boolean;

  @ApiProperty({ type: String })
  basis: string;

  @ApiPropertyOptional({ type: String })
  note?: string;
}

export class BreachViewDeadlinesDto {
  @ApiProperty({ type: String, format: 'date' })
  discoveredOn: string;

  @ApiProperty({ type: () => BreachViewDeadlinesPreliminaryDto })
  preliminary: BreachViewDeadlinesPreliminaryDto;

  @ApiProperty({ type: () => BreachViewDeadlinesFinalDto })
  final: BreachViewDeadlinesFinalDto;

  @ApiProperty({ type: () => BreachViewDeadlinesCountingDto })
  counting: BreachViewDeadlinesCountingDto;

  @ApiProperty({ enum: ['pending', 'reported', 'overdue', 'alarm', 'not-required'] })
  preliminaryState: 'pending' | 'reported' | 'overdue' | 'alarm' | 'not-required';

  @ApiProperty({ enum: ['pending', 'reported', 'overdue', 'alarm', 'not-required'] })
  finalState: 'pending' | 'reported' | 'overdue' | 'alarm' | 'not-required';
}

export class BreachViewReportsItemDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  kind: string;

  @ApiProperty({ type: String, format: 'date-time' })
  sentAt: string;

  @ApiProperty({ type: String })
  means: string;

  @ApiProperty({ type: String, nullable: true })
  reference: string | null;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;

  @ApiProperty({ type: String })
  recordedBy: string;

  @ApiProperty({ type: String, format: 'date-time' })
  recordedAt: string;
}

export class BreachViewAlarmsItemDto {
  @ApiProperty({ type: String })
  kind: string;

  @ApiProperty({ type: String, format: 'date-time' })
  dueAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  raisedAt: string;

  @ApiProperty({ type: String })
  raisedBy: string;

  @ApiProperty({ type: String })
  status: string;
}

export class BreachViewDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  title: string;

  @ApiProperty({ type: String })
  category: string;

  @ApiProperty({ type: String })
  summary: string;

  @ApiProperty({ type: String, nullable: true })
  occurredFrom: string | null;

  @ApiProperty({ type: String, nullable: true })
  occurredUntil: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  discoveredAt: string;

  @ApiProperty({ type: String, nullable: true })
  discoveredBy: string | null;

  @ApiProperty({ type: Boolean })
  unlawfulPurpose: boolean;

  @ApiProperty({ type: Boolean })
  publiclyViewable: boolean;

  @ApiProperty({ type: Boolean })
  systemLeak: boolean;

  @ApiProperty({ enum: ['open', 'closed'] })
  status: 'open' | 'closed';

  @ApiProperty({ type: String })
  openedBy: string;

  @ApiProperty({ type: String, format: 'date-time' })
  openedAt: string;

  @ApiProperty({ type: 'integer' })
  affectedCount: number;

  @ApiProperty({ type: 'object', additionalProperties: true })
  affectedBySource: Record<string, unknown>;

  @ApiProperty({ type: () => BreachViewDutyDto })
  duty: BreachViewDutyDto;

  @ApiProperty({ type: () => BreachViewDeadlinesDto })
  deadlines: BreachViewDeadlinesDto;

  @ApiProperty({ type: 'object', additionalProperties: true })
  report: Record<string, unknown>;

  @ApiProperty({ type: () => BreachViewReportsItemDto, isArray: true })
  reports: BreachViewReportsItemDto[];

  @ApiProperty({ type: () => BreachViewAlarmsItemDto, isArray: true })
  alarms: BreachViewAlarmsItemDto[];
}

/** A breach in the register's list: the view without the affected-by-source counts, the report and its history. */
export class BreachSummaryDto extends OmitType(BreachViewDto, ['affectedBySource', 'report', 'reports', 'alarms'] as const) {}

export class BreachesListAnswerDto {
  @ApiProperty({ type: () => BreachSummaryDto, isArray: true })
  items: BreachSummaryDto[];
}

export class BreachesAlarmsAnswerItemsItemDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'uuid' })
  incidentId: string;

  @ApiProperty({ type: String })
  title: string;

  @ApiProperty({ enum: ['preliminary', 'final'] })
  kind: 'preliminary' | 'final';

  @ApiProperty({ type: String, format: 'date-time' })
  dueAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  raisedAt: string;

  @ApiProperty({ type: String })
  raisedBy: string;

  @ApiProperty({ enum: ['open', 'resolved'] })
  status: 'open' | 'resolved';
}

export class BreachesAlarmsAnswerDto {
  @ApiProperty({ type: () => BreachesAlarmsAnswerItemsItemDto, isArray: true })
  items: BreachesAlarmsAnswerItemsItemDto[];
}

export class BreachesSweepAnswerDto {
  @ApiProperty({ type: Number })
  raised: number;
}

export class BreachDutyDto {
  @ApiProperty({ type: Boolean })
  applies: boolean;

  @ApiProperty({ type: () => BreachViewDutyTriggersItemDto, isArray: true })
  triggers: BreachViewDutyTriggersItemDto[];

  @ApiProperty({ type: 'integer' })
  threshold: number;
}

export class BreachesAddAffectedAnswerDto {
  @ApiProperty({ type: Number })
  added: number;

  @ApiProperty({ type: 'integer' })
  affectedCount: number;

  @ApiProperty({ type: () => BreachDutyDto })
  duty: BreachDutyDto;
}

export class BreachesAffectedAnswerItemsItemDto {
  @ApiProperty({ type: String, format: 'uuid' })
  subjectId: string;

  @ApiProperty({ type: String })
  code: string;

  @ApiProperty({ type: String })
  kind: string;

  @ApiProperty({ type: String })
  name: string;

  @ApiProperty({ type: String })
  source: string;

  @ApiProperty({ type: String, format: 'date-time' })
  addedAt: string;
}

export class BreachesAffectedAnswerDto extends PageDto(BreachesAffectedAnswerItemsItemDto) {}

export class PrintableItemDto {
  @ApiProperty({ type: String })
  code: string;

  @ApiProperty({ type: String })
  label: string;

  @ApiProperty({ type: String })
  basis: string;

  @ApiProperty({ type: String })
  value: string;
}

/** The report (PPC form items) or the notice to the people affected, ready to print. */
export class PrintableDocumentDto {
  @ApiProperty({ type: String })
  title: string;

  @ApiProperty({ type: String })
  basis: string;

  @ApiPropertyOptional({ type: String })
  note?: string;

  @ApiProperty({ type: () => PrintableItemDto, isArray: true })
  items: PrintableItemDto[];
}
