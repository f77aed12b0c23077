import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { NoNumberLike } from '@/common/screening/no-number-like.decorator';
import { normalizeUsername, USERNAME_PATTERN, USERNAME_RULE } from '@/users/username';
import { FIRM_KINDS, FirmKind } from '../outside-firm.entity';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class ChecklistItemDto {
  @ApiProperty({ example: 'confidentiality', description: 'An item code of config/compliance.json outsideFirmChecklist' })
  @IsString()
  @Matches(/^[a-z][a-z0-9-]{0,63}$/, { message: 'code must be a checklist item code' })
  code: string;

  @ApiProperty()
  @IsBoolean()
  done: boolean;

  @ApiPropertyOptional({ description: 'How it was checked; must not contain a number' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @NoNumberLike()
  note?: string;
}

export class CreateFirmDto {
  @ApiProperty({ example: '見本社会保険労務士事務所' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @NoNumberLike()
  name: string;

  @ApiProperty({ enum: FIRM_KINDS })
  @IsIn(FIRM_KINDS, { message: `kind must be one of: ${FIRM_KINDS.join(', ')}` })
  kind: FirmKind;

  @ApiProperty({ example: '社会保険・雇用保険の届出事務', description: 'What the contract entrusts (委託の範囲)' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  @NoNumberLike()
  scope: string;

  @ApiProperty({ example: ['health-pension', 'employment-insurance'], description: 'Purpose codes the firm may use numbers for' })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  purposes: string[];

  @ApiProperty({ example: '2026-04-01' })
  @Matches(DATE, { message: 'contractStartsOn must be a date (YYYY-MM-DD)' })
  contractStartsOn: string;

  @ApiProperty({ example: '2027-03-31' })
  @Matches(DATE, { message: 'contractEndsOn must be a date (YYYY-MM-DD)' })
  contractEndsOn: string;

  @ApiPropertyOptional({ description: 'Start of the access window (default: the contract start, 00:00 Japan time)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'accessFrom must be an ISO 8601 date-time' })
  accessFrom?: string;

  @ApiPropertyOptional({ description: 'End of the access window (default: the day after the contract ends, 00:00 Japan time)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'accessUntil must be an ISO 8601 date-time' })
  accessUntil?: string;

  @ApiPropertyOptional({ type: [ChecklistItemDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ChecklistItemDto)
  checklist?: ChecklistItemDto[];
}

export class UpdateFirmDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(1000) @NoNumberLike() scope?: string;
  @ApiPropertyOptional() @IsOptional() @IsArray() @ArrayNotEmpty() @ArrayUnique() @ArrayMaxSize(20) @IsString({ each: true }) purposes?: string[];
  @ApiPropertyOptional() @IsOptional() @Matches(DATE, { message: 'contractStartsOn must be a date (YYYY-MM-DD)' }) contractStartsOn?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(DATE, { message: 'contractEndsOn must be a date (YYYY-MM-DD)' }) contractEndsOn?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }, { message: 'accessFrom must be an ISO 8601 date-time' }) accessFrom?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }, { message: 'accessUntil must be an ISO 8601 date-time' }) accessUntil?: string;
}

export class ChecklistDto {
  @ApiProperty({ type: [ChecklistItemDto] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ChecklistItemDto)
  items: ChecklistItemDto[];
}

export class CreateFirmAccountDto {
  @ApiProperty({ example: 'mihon.sr', description: USERNAME_RULE })
  @Transform(({ value }) => normalizeUsername(value))
  @IsString()
  @Matches(USERNAME_PATTERN, { message: USERNAME_RULE })
  username: string;

  @ApiProperty({ example: '見本 花子（見本社労士事務所）' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @NoNumberLike()
  displayName: string;
}

export class AgeRecipientDto {
  @ApiProperty({
    description: "The firm's age X25519 recipient, as age-keygen prints it (age1…)",
    example: 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p',
  })
  @IsString()
  @MaxLength(200)
  recipient: string;
}

export class RecipientKeyDto {
  @ApiProperty({ description: "The firm's OpenPGP public key, ASCII armor (gpg --armor --export <id>)" })
  @IsString()
  @MinLength(100)
  @MaxLength(20000)
  publicKey: string;
}
