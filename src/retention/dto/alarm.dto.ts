import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoundedDateTime } from '@/common/http/dates';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
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

export class PostponeDto {
  @ApiProperty({ description: 'Hide the alarm until this time (date or date-time; a date means 00:00 in Japan)', example: '2026-09-30' })
  @IsBoundedDateTime('until', 'until must be an ISO 8601 date or time')
  until: string;

  @ReasonField({ required: true, description: 'Why (a pending filing, a legal hold); must not contain a number', example: 'Pending tax audit' })
  reason: string;
}
