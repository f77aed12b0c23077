import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { IsBoundedDate } from '@/common/http/dates';
import { NoNumberLike } from '@/common/screening/no-number-like.decorator';

export class CreateFilingDto {
  @ApiProperty({ description: 'A documentType from config/retention-rules.json', example: 'dependents-declaration' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  @NoNumberLike()
  documentType: string;

  @ApiPropertyOptional({
    description:
      '年分: the tax year the document is for (a 扶養控除等申告書 handed in during December 2025 for 2026 is 2026). Required by rules that start from the filing deadline; each rule says how its start follows from it.',
    example: 2026,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'taxYear must be a whole year' })
  @Min(1990, { message: 'taxYear must be 1990 or later' })
  @Max(2200, { message: 'taxYear must be 2200 or earlier' })
  taxYear?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1990,
    maximum: 2200,
    deprecated: true,
    description: 'Old name of taxYear (the same number for every configured rule); send taxYear',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'fiscalYear must be a whole year' })
  @Min(1990, { message: 'fiscalYear must be 1990 or later' })
  @Max(2200, { message: 'fiscalYear must be 2200 or earlier' })
  fiscalYear?: number;

  @ApiPropertyOptional({ example: '2025-12-10', description: 'Not in the future' })
  @IsOptional()
  @IsBoundedDate('submittedAt')
  submittedAt?: string;

  @ApiPropertyOptional({
    description: 'The day the matter closed (完結の日), for rules that start then; leave out while it is open. Not in the future',
    example: '2025-03-31',
  })
  @IsOptional()
  @IsBoundedDate('closedAt')
  closedAt?: string;

  @ApiPropertyOptional({
    description: 'The other people this document carries (the 配偶者・扶養親族 on a 扶養控除等申告書): their numbers are kept at least as long as the document',
    type: [String],
  })
  @IsOptional()
  @IsArray()
  @ArrayUnique({ message: 'people must not repeat a person' })
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true, message: 'people must be ids of registered people' })
  people?: string[];
}

export class UpdateFilingDto {
  @ApiPropertyOptional({
    type: String,
    format: 'date',
    nullable: true,
    description: 'The day the matter closed; null reopens it (the number is kept)',
    example: '2025-03-31',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsBoundedDate('closedAt')
  closedAt?: string | null;

  @ApiPropertyOptional({ description: 'People to add to the filing (a dependent later found on it)', type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayUnique({ message: 'people must not repeat a person' })
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true, message: 'people must be ids of registered people' })
  addPeople?: string[];
}
