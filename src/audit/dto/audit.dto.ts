import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoundedDateTime } from '@/common/http/dates';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, AuditOutcome } from '../audit-action';
import { NoNumberLike } from '@/common/screening/no-number-like.decorator';
import { ReasonField } from '@/common/screening/reason-field.decorator';

const SEQ = /^[1-9][0-9]{0,17}$/;

export class ListAuditEntriesQuery {
  @ApiPropertyOptional({ description: 'Actor: a staff user id (uuid) or a username' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @NoNumberLike()
  actor?: string;

  @ApiPropertyOptional({ description: 'Subject (person) id' })
  @IsOptional()
  @IsUUID('all', { message: 'subject must be a subject id' })
  subject?: string;

  @ApiPropertyOptional({ example: 'withholding-slip' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  @NoNumberLike()
  purpose?: string;

  @ApiPropertyOptional({ description: 'Part of a person’s code, name or kana (spaces ignored): 山田太郎 finds 山田 太郎', example: '山田' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @NoNumberLike()
  person?: string;

  @ApiPropertyOptional({
    description: 'One action, or several separated by commas (see the AuditAction list)',
    example: 'number.revealed,number.bulk-retrieved',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').map((a) => a.trim()) : value))
  @IsArray({ message: 'action must be one or more audit actions separated by commas' })
  @ArrayMaxSize(AUDIT_ACTIONS.length, { message: 'action must be one or more audit actions separated by commas' })
  @IsIn(AUDIT_ACTIONS, { each: true, message: 'action must be one or more audit actions separated by commas' })
  action?: string[];

  @ApiPropertyOptional({ enum: AUDIT_OUTCOMES })
  @IsOptional()
  @IsIn(AUDIT_OUTCOMES, { message: `outcome must be one of: ${AUDIT_OUTCOMES.join(', ')}` })
  outcome?: AuditOutcome;

  @ApiPropertyOptional({ description: 'Entries at or after this time (ISO 8601)' })
  @IsOptional()
  @IsBoundedDateTime('from')
  from?: string;

  @ApiPropertyOptional({ description: 'Entries before this time (ISO 8601)' })
  @IsOptional()
  @IsBoundedDateTime('to')
  to?: string;

  @ApiPropertyOptional({ description: 'nextCursor from the previous page' })
  @IsOptional()
  @Matches(SEQ, { message: 'cursor must be a nextCursor value' })
  cursor?: string;

  @ApiPropertyOptional({ type: 'integer', default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc', description: 'By sequence number' })
  @IsOptional()
  @IsIn(['asc', 'desc'], { message: 'order must be asc or desc' })
  order?: 'asc' | 'desc';
}

export class ExportAuditQuery {
  @ApiPropertyOptional({ description: 'Entries at or after this time (ISO 8601); default: the first entry' })
  @IsOptional()
  @IsBoundedDateTime('from')
  from?: string;

  @ApiPropertyOptional({ description: 'Entries before this time (ISO 8601); default: the last sealed entry' })
  @IsOptional()
  @IsBoundedDateTime('to')
  to?: string;
}

export class AlertsQuery {
  @ApiPropertyOptional({ description: 'Start of the window (ISO 8601); default 7 days ago' })
  @IsOptional()
  @IsBoundedDateTime('from')
  from?: string;

  @ApiPropertyOptional({ description: 'End of the window (ISO 8601); default now' })
  @IsOptional()
  @IsBoundedDateTime('to')
  to?: string;
}

export class CreateReviewDto {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The last entry reviewed', example: 1200 })
  @Type(() => Number)
  @IsInt({ message: 'upToSeq must be an entry sequence number' })
  @Min(1, { message: 'upToSeq must be an entry sequence number' })
  upToSeq: number;

  @ReasonField({ required: true, maxLength: 2000, example: 'Monthly review: no unusual use found.' })
  note: string;
}

export class ListReviewsQuery {
  @ApiPropertyOptional({ description: 'nextCursor from the previous page' })
  @IsOptional()
  @Matches(SEQ, { message: 'cursor must be a nextCursor value' })
  cursor?: string;

  @ApiPropertyOptional({ type: 'integer', default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(500)
  limit?: number;
}
