import { ApiProperty, PickType } from '@nestjs/swagger';
import { AuditAlertDto } from '@/audit/dto/audit.responses';

// Response shapes for the OpenAPI document (issue #20): what the routes answer, so generated clients are typed.

export class MonthlyReportTotalsExportsDto {
  @ApiProperty({ type: Number })
  provision: number;

  @ApiProperty({ type: Number })
  takeOut: number;

  @ApiProperty({ type: Number })
  rows: number;
}

export class MonthlyReportTotalsDto {
  @ApiProperty({ type: Number })
  reveals: number;

  @ApiProperty({ type: Number })
  bulkRetrieved: number;

  @ApiProperty({ type: () => MonthlyReportTotalsExportsDto })
  exports: MonthlyReportTotalsExportsDto;

  @ApiProperty({ type: Number })
  stores: number;

  @ApiProperty({ type: Number })
  corrections: number;

  @ApiProperty({ type: Number })
  disposals: number;

  @ApiProperty({ type: Number })
  disposalsRefused: number;

  @ApiProperty({ type: Number })
  refused: number;
}

export class MonthlyReportByPurposeItemDto {
  @ApiProperty({ type: String, nullable: true })
  purpose: string | null;

  @ApiProperty({ type: Number })
  reveals: number;

  @ApiProperty({ type: Number })
  bulk: number;

  @ApiProperty({ type: Number })
  refused: number;

  @ApiProperty({ type: String, nullable: true })
  label: string | null;
}

export class StaffCountDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  actorId: string | null;

  @ApiProperty({ type: String, nullable: true })
  username: string | null;

  @ApiProperty({ type: String, nullable: true })
  firm: string | null;

  @ApiProperty({ type: Number })
  reveals: number;

  @ApiProperty({ type: Number })
  bulk: number;

  @ApiProperty({ type: Number })
  exports: number;

  @ApiProperty({ type: Number })
  refused: number;

  @ApiProperty({ type: Number })
  stores: number;

  @ApiProperty({ type: Number })
  disposals: number;
}

export class DayCountDto {
  @ApiProperty({ type: String })
  day: string;

  @ApiProperty({ type: Number })
  reveals: number;

  @ApiProperty({ type: Number })
  bulk: number;

  @ApiProperty({ type: Number })
  refused: number;
}

export class ExportRowDto {
  @ApiProperty({ type: String })
  seq: string;

  @ApiProperty({ type: String, format: 'date-time' })
  at: string;

  @ApiProperty({ type: String, nullable: true })
  username: string | null;

  @ApiProperty({ type: String, nullable: true })
  purpose: string | null;

  @ApiProperty({ type: Number })
  rows: number;

  @ApiProperty({ type: String, nullable: true })
  kind: string | null;

  @ApiProperty({ type: String, nullable: true })
  firmName: string | null;

  @ApiProperty({ type: String, nullable: true })
  encryption: string | null;
}

export class MonthlyReportRefusedItemDto {
  @ApiProperty({ type: String })
  action: string;

  @ApiProperty({ type: 'integer' })
  count: number;
}

export class MonthlyReportLoginsDto {
  @ApiProperty({ type: Number })
  success: number;

  @ApiProperty({ type: Number })
  failed: number;

  @ApiProperty({ type: Number })
  lockouts: number;

  @ApiProperty({ type: Number })
  outsideHours: number;

  @ApiProperty({ type: Number })
  recoveryCodesUsed: number;
}

export class MonthlyReportChangesDto {
  @ApiProperty({ type: Number })
  usersCreated: number;

  @ApiProperty({ type: Number })
  rolesChanged: number;

  @ApiProperty({ type: Number })
  rolesApproved: number;

  @ApiProperty({ type: Number })
  deactivated: number;

  @ApiProperty({ type: Number })
  shareHoldersRekeyed: number;

  @ApiProperty({ type: Number })
  sodExceptions: number;
}

export class MonthlyReportFourEyesDto {
  @ApiProperty({ type: Number })
  policyWaived: number;

  @ApiProperty({ type: Number })
  waivedActions: number;

  @ApiProperty({ type: Number })
  approvalsGranted: number;

  @ApiProperty({ type: Number })
  approvalsRefused: number;
}

/** An unusual-use alert as the monthly report lists it (GET /audit/alerts's, without the actor id and sequence numbers). */
export class MonthlyReportAlertDto extends PickType(AuditAlertDto, ['message', 'type', 'actorUsername', 'count', 'limit', 'from', 'to'] as const) {}

export class MonthlyReportAlarmsDto {
  @ApiProperty({ type: Number })
  disposalRaised: number;

  @ApiProperty({ type: Number })
  disposed: number;

  @ApiProperty({ type: 'integer' })
  breachAlarms: number;

  @ApiProperty({ type: Number })
  breachesOpened: number;
}

export class OpenMattersDto {
  @ApiProperty({ type: Number })
  disposalAlarmsOpen: number;

  @ApiProperty({ type: Number })
  disposalsOverdue: number;

  @ApiProperty({ type: Number })
  mattersUnderReview: number;

  @ApiProperty({ type: Number })
  approvalsPending: number;

  @ApiProperty({ type: Number })
  breachesOpen: number;
}

export class SignoffRowDto {
  @ApiProperty({ type: String })
  month: string;

  @ApiProperty({ type: String })
  signedBy: string;

  @ApiProperty({ type: String })
  signedByUsername: string;

  @ApiProperty({ type: String })
  comment: string;

  @ApiProperty({ type: String, format: 'date-time' })
  signedAt: string;
}

export class MonthlyReportDto {
  @ApiProperty({ type: String })
  month: string;

  @ApiProperty({ type: String })
  from: string;

  @ApiProperty({ type: String })
  to: string;

  @ApiProperty({ type: String, format: 'date-time' })
  generatedAt: string;

  @ApiProperty({ type: Boolean })
  partial: boolean;

  @ApiProperty({ type: () => MonthlyReportTotalsDto })
  totals: MonthlyReportTotalsDto;

  @ApiProperty({ type: () => MonthlyReportByPurposeItemDto, isArray: true })
  byPurpose: MonthlyReportByPurposeItemDto[];

  @ApiProperty({ type: () => StaffCountDto, isArray: true })
  byStaff: StaffCountDto[];

  @ApiProperty({ type: () => DayCountDto, isArray: true })
  daily: DayCountDto[];

  @ApiProperty({ type: () => ExportRowDto, isArray: true })
  exports: ExportRowDto[];

  @ApiProperty({ type: () => MonthlyReportRefusedItemDto, isArray: true })
  refused: MonthlyReportRefusedItemDto[];

  @ApiProperty({ type: () => MonthlyReportLoginsDto })
  logins: MonthlyReportLoginsDto;

  @ApiProperty({ type: () => MonthlyReportChangesDto })
  changes: MonthlyReportChangesDto;

  @ApiProperty({ type: () => MonthlyReportFourEyesDto })
  fourEyes: MonthlyReportFourEyesDto;

  @ApiProperty({ type: () => MonthlyReportAlertDto, isArray: true })
  alerts: MonthlyReportAlertDto[];

  @ApiProperty({ type: () => MonthlyReportAlarmsDto })
  alarms: MonthlyReportAlarmsDto;

  @ApiProperty({ type: () => OpenMattersDto })
  openMatters: OpenMattersDto;

  @ApiProperty({ type: () => SignoffRowDto, nullable: true })
  signoff: SignoffRowDto | null;
}
