import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { SUBJECT_KINDS, SubjectKind } from '@/config/legal-data';
import { NoNumberLike } from '@/common/screening/no-number-like.decorator';

/** Plain calendar date, YYYY-MM-DD. */
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DATE_MESSAGE = 'must be a date as YYYY-MM-DD';
/** Names and codes must not carry a number: refuse long digit runs outright. */
const NO_LONG_DIGITS = /^(?!.*[0-9０-９]{8,}).*$/s;

export class CreateSubjectDto {
  @ApiProperty({ enum: SUBJECT_KINDS })
  @IsIn(SUBJECT_KINDS, { message: `kind must be one of: ${SUBJECT_KINDS.join(', ')}` })
  kind: SubjectKind;

  @ApiProperty({ description: 'The company\'s own code for the person (staff code, payee code)', example: 'E-0001' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  @Matches(/^[A-Za-z0-9._-]+$/, { message: 'code may contain only letters, digits, ".", "_" and "-"' })
  @Matches(/^(?!.*\d{8,}).*$/, { message: 'code must not contain 8 or more digits in a row' })
  @NoNumberLike()
  code: string;

  @ApiProperty({ example: '山田 太郎' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(NO_LONG_DIGITS, { message: 'name must not contain long digit runs' })
  @NoNumberLike()
  name: string;

  @ApiPropertyOptional({ example: 'ヤマダ タロウ' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(/^[\p{Script=Katakana}\p{Script=Hiragana}ー・\s　]*$/u, { message: 'nameKana must be written in kana' })
  @NoNumberLike()
  nameKana?: string;

  @ApiPropertyOptional({ description: 'For a dependent: the employee it belongs to' })
  @ValidateIf((o: CreateSubjectDto) => o.kind === 'dependent' || o.employeeId !== undefined)
  @IsUUID('all', { message: 'employeeId must be the id of an employee (required for a dependent)' })
  employeeId?: string;

  @ApiPropertyOptional({ example: '2020-04-01' })
  @IsOptional()
  @Matches(DATE, { message: `hiredAt ${DATE_MESSAGE}` })
  @IsISO8601({ strict: true }, { message: `hiredAt ${DATE_MESSAGE}` })
  hiredAt?: string;

  @ApiPropertyOptional({ description: 'Employee left / dependent removed / payee contract ended', example: '2025-03-31' })
  @IsOptional()
  @Matches(DATE, { message: `leftAt ${DATE_MESSAGE}` })
  @IsISO8601({ strict: true }, { message: `leftAt ${DATE_MESSAGE}` })
  leftAt?: string;
}

export class UpdateSubjectDto extends PartialType(PickType(CreateSubjectDto, ['nameKana', 'hiredAt'] as const)) {
  /** Optional, but never null: a person always has a name (PartialType's IsOptional would let null through to the database). */
  @ApiPropertyOptional({ example: '山田 太郎' })
  @ValidateIf((_, v) => v !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(NO_LONG_DIGITS, { message: 'name must not contain long digit runs' })
  @NoNumberLike()
  name?: string;

  @ApiPropertyOptional({ nullable: true, description: 'null clears it (the person returned)' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @Matches(DATE, { message: `leftAt ${DATE_MESSAGE}` })
  @IsISO8601({ strict: true }, { message: `leftAt ${DATE_MESSAGE}` })
  leftAt?: string | null;
}

export class ListSubjectsQuery {
  @ApiPropertyOptional({ enum: SUBJECT_KINDS })
  @IsOptional()
  @IsIn(SUBJECT_KINDS, { message: `kind must be one of: ${SUBJECT_KINDS.join(', ')}` })
  kind?: SubjectKind;

  @ApiPropertyOptional({ description: 'Search in code, name and kana' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @NoNumberLike()
  q?: string;

  @ApiPropertyOptional({ enum: ['active', 'left'] })
  @IsOptional()
  @IsIn(['active', 'left'], { message: 'status must be active or left' })
  status?: 'active' | 'left';

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,80}$/, { message: 'cursor is not valid' })
  cursor?: string;
}

export class NotifyPurposesDto {
  @ApiProperty({ example: ['withholding-slip', 'health-pension'] })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  purposes: string[];

  @ApiProperty({ example: '2026-04-01T09:00:00+09:00' })
  @IsISO8601({ strict: true }, { message: 'notifiedAt must be an ISO 8601 time' })
  notifiedAt: string;
}
