import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoundedDateTime } from '@/common/http/dates';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { ALARM_STATUSES, AlarmStatus } from '../entities/disposal-alarm.entity';
import { ReasonField } from '@/common/screening/reason-field.decorator';

export class ListAlarmsQuery {
  @ApiPropertyOptional({ enum: ALARM_STATUSES, default: 'open' })
  @IsOptional()
  @IsIn(ALARM_STATUSES, { message: `status must be one of: ${ALARM_STATUSES.join(', ')}` })
  status?: AlarmStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}_[0-9a-f-]{36}$/, { message: 'cursor is not valid' })
  cursor?: string;
}

export class ListDisposalsQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-f-]{36}$/, { message: 'cursor is not valid' })
  cursor?: string;
}

export class DisposeDto {
  @ReasonField({ description: 'Kept in the disposal record; must not contain a number', example: 'FY2025 year-end disposal' })
  note?: string;
}

/**
 * POST /retention/alarms/dispose-all: the note, the alarms the admin was shown, and those of people
 * with no recorded filing that the admin confirmed one by one (issue #22). A request without a
 * non-empty `alarmIds` is refused (`disposal.alarm-ids-required`) by the service, so that the code
 * is its own rather than the validation pipe's generic one.
 */
export class DisposeAllDto extends DisposeDto {
  @ApiProperty({
    type: [String],
    description:
      'The open alarms the admin was shown (at least one; nothing outside this list is touched). A person with no recorded filing is disposed of only when confirmedWithoutFilings names their alarm; without the list: 400 disposal.alarm-ids-required',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10000)
  @IsUUID('all', { each: true, message: 'alarmIds must hold alarm ids' })
  alarmIds?: string[];

  @ApiPropertyOptional({
    type: [String],
    description:
      'Alarms (among alarmIds) of people with no recorded filing that the admin confirmed one by one; the others are skipped with disposal.filings-unconfirmed',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10000)
  @IsUUID('all', { each: true, message: 'confirmedWithoutFilings must hold alarm ids' })
  confirmedWithoutFilings?: string[];
}

export class PostponeDto {
  @ApiProperty({ description: 'Hide the alarm until this time (date or date-time; a date means 00:00 in Japan)', example: '2026-09-30' })
  @IsBoundedDateTime('until', 'until must be an ISO 8601 date or time')
  until: string;

  @ReasonField({ required: true, description: 'Why (a pending filing, a legal hold); must not contain a number', example: 'Pending tax audit' })
  reason: string;
}
