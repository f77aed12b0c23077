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

/** POST /retention/alarms/dispose-all: the note, and the alarms the admin was shown and confirmed (issue #22). */
export class DisposeAllDto extends DisposeDto {
  @ApiPropertyOptional({
    type: [String],
    description:
      'Only these open alarms (what the console listed before asking). With this list, a person with no recorded filing is disposed of only when confirmedWithoutFilings names their alarm',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10000)
  @IsUUID('all', { each: true, message: 'alarmIds must hold alarm ids' })
  alarmIds?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Alarms of people with no recorded filing that the admin confirmed one by one' })
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
