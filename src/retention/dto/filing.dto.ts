import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { NoNumberLike } from '@/common/screening/no-number-like.decorator';

/** Plain calendar date, YYYY-MM-DD. */
export const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
export const DATE_MESSAGE = 'must be a date as YYYY-MM-DD';

export class CreateFilingDto {
  @ApiProperty({ description: 'A documentType from config/retention-rules.json', example: 'dependents-declaration' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  @NoNumberLike()
  documentType: string;

  @ApiPropertyOptional({ description: 'The year whose filing deadline the document belongs to (required by rules that start after 10 January)', example: 2025 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'fiscalYear must be a whole year' })
  @Min(1990, { message: 'fiscalYear must be 1990 or later' })
  @Max(2200, { message: 'fiscalYear must be 2200 or earlier' })
  fiscalYear?: number;

  @ApiPropertyOptional({ example: '2025-01-20' })
  @IsOptional()
  @Matches(DATE, { message: `submittedAt ${DATE_MESSAGE}` })
  @IsISO8601({ strict: true }, { message: `submittedAt ${DATE_MESSAGE}` })
  submittedAt?: string;

  @ApiPropertyOptional({ description: 'The day the matter closed (完結の日), for rules that start then; leave out while it is open', example: '2025-03-31' })
  @IsOptional()
  @Matches(DATE, { message: `closedAt ${DATE_MESSAGE}` })
  @IsISO8601({ strict: true }, { message: `closedAt ${DATE_MESSAGE}` })
  closedAt?: string;
}

export class UpdateFilingDto {
  @ApiPropertyOptional({ nullable: true, description: 'The day the matter closed; null reopens it (the number is kept)', example: '2025-03-31' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @Matches(DATE, { message: `closedAt ${DATE_MESSAGE}` })
  @IsISO8601({ strict: true }, { message: `closedAt ${DATE_MESSAGE}` })
  closedAt?: string | null;
}
