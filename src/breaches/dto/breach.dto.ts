import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { Type } from 'class-transformer';
import { NoNumberLike } from '@/common/screening/no-number-like.decorator';

export const BREACH_CATEGORIES = ['leak', 'loss', 'damage'] as const;
export const AFFECTED_SOURCES = ['reveals', 'listed', 'on-file'] as const;
export const REPORT_KINDS = ['preliminary', 'final', 'people-notice'] as const;

/** The free-text report items (報告規則第3条第1項), keyed by the codes of config/compliance.json reportItems. */
export class BreachReportItemsDto {
  @ApiPropertyOptional({ description: '漏えい等が発生したおそれがある特定個人情報の項目 (default: 個人番号)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @NoNumberLike()
  items?: string;

  @ApiPropertyOptional({ description: '原因' }) @IsOptional() @IsString() @MaxLength(4000) @NoNumberLike() cause?: string;
  @ApiPropertyOptional({ description: '二次被害又はそのおそれの有無及びその内容' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  @NoNumberLike()
  'secondary-damage'?: string;
  @ApiPropertyOptional({ description: '本人への対応の実施状況' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  @NoNumberLike()
  'response-to-people'?: string;
  @ApiPropertyOptional({ description: '公表の実施状況' }) @IsOptional() @IsString() @MaxLength(4000) @NoNumberLike() publication?: string;
  @ApiPropertyOptional({ description: '再発防止のための措置' }) @IsOptional() @IsString() @MaxLength(4000) @NoNumberLike() prevention?: string;
  @ApiPropertyOptional({ description: 'その他参考となる事項' }) @IsOptional() @IsString() @MaxLength(4000) @NoNumberLike() other?: string;
}

export class OpenBreachDto {
  @ApiProperty({ example: '担当者のノートPCの紛失' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @NoNumberLike()
  title: string;

  @ApiProperty({ enum: BREACH_CATEGORIES, description: 'leak 漏えい, loss 滅失, damage 毀損' })
  @IsIn(BREACH_CATEGORIES, { message: `category must be one of: ${BREACH_CATEGORIES.join(', ')}` })
  category: (typeof BREACH_CATEGORIES)[number];

  @ApiProperty({ example: '給与計算の担当者が社外で開示した一覧を保存したノートPCを紛失した', description: 'What happened (概要)' })
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  @NoNumberLike()
  summary: string;

  @ApiProperty({ description: 'When the company knew of it (発覚日時): the deadlines count from this' })
  @IsISO8601({ strict: true }, { message: 'discoveredAt must be an ISO 8601 date-time' })
  discoveredAt: string;

  @ApiPropertyOptional({ description: 'Who found it (発見者)' }) @IsOptional() @IsString() @MaxLength(200) @NoNumberLike() discoveredBy?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }, { message: 'occurredFrom must be an ISO 8601 date-time' }) occurredFrom?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }, { message: 'occurredUntil must be an ISO 8601 date-time' }) occurredUntil?: string;
  @ApiPropertyOptional({ description: '不正の目的をもって行われたおそれ (確報 within 60 days)' }) @IsOptional() @IsBoolean() unlawfulPurpose?: boolean;
  @ApiPropertyOptional({ description: '不特定多数の者に閲覧されたおそれ' }) @IsOptional() @IsBoolean() publiclyViewable?: boolean;
  @ApiPropertyOptional({ description: '情報システムで管理される特定個人情報の漏えい等 (the vault cannot judge it)' })
  @IsOptional()
  @IsBoolean()
  systemLeak?: boolean;

  @ApiPropertyOptional({ type: BreachReportItemsDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => BreachReportItemsDto)
  report?: BreachReportItemsDto;
}

export class UpdateBreachDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(200) @NoNumberLike() title?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(4000) @NoNumberLike() summary?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) @NoNumberLike() discoveredBy?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }, { message: 'occurredFrom must be an ISO 8601 date-time' }) occurredFrom?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }, { message: 'occurredUntil must be an ISO 8601 date-time' }) occurredUntil?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() unlawfulPurpose?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() publiclyViewable?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() systemLeak?: boolean;
  @ApiPropertyOptional({ type: BreachReportItemsDto, description: 'Items given replace those on file; items left out stay' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => BreachReportItemsDto)
  report?: BreachReportItemsDto;

  @ApiPropertyOptional({ enum: ['open', 'closed'] }) @IsOptional() @IsIn(['open', 'closed'], { message: 'status must be open or closed' }) status?:
    'open' | 'closed';
}

/** Who is affected: everyone shown a number in a time range (optionally by one account), named people, or everyone on file. */
export class AddAffectedDto {
  @ApiProperty({ enum: AFFECTED_SOURCES })
  @IsIn(AFFECTED_SOURCES, { message: `source must be one of: ${AFFECTED_SOURCES.join(', ')}` })
  source: (typeof AFFECTED_SOURCES)[number];

  @ApiPropertyOptional({ description: "source reveals: only this account's reveals (staff user id)" })
  @ValidateIf((o: AddAffectedDto) => o.source === 'reveals' && o.actorId !== undefined)
  @IsUUID('all', { message: 'actorId must be a staff user id' })
  actorId?: string;

  @ApiPropertyOptional({ description: 'source reveals: from (inclusive)' })
  @ValidateIf((o: AddAffectedDto) => o.source === 'reveals')
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ description: 'source reveals: until (exclusive)' })
  @ValidateIf((o: AddAffectedDto) => o.source === 'reveals')
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to?: string;

  @ApiPropertyOptional({ description: 'source listed: person ids (or subjectCodes)' })
  @ValidateIf((o: AddAffectedDto) => o.source === 'listed' && (o.subjectIds !== undefined || o.subjectCodes === undefined))
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @ArrayMaxSize(10_000)
  @IsUUID('all', { each: true, message: 'subjectIds must be person ids' })
  subjectIds?: string[];

  @ApiPropertyOptional({
    description: "source listed: the people's codes (the company's own codes, as the console shows them), instead of subjectIds",
    example: ['E-0001'],
  })
  @ValidateIf((o: AddAffectedDto) => o.source === 'listed' && o.subjectCodes !== undefined)
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @ArrayMaxSize(10_000)
  @IsString({ each: true })
  @MaxLength(40, { each: true })
  @Matches(/^[A-Za-z0-9._-]+$/, { each: true, message: 'subjectCodes may contain only letters, digits, ".", "_" and "-"' })
  @NoNumberLike({ each: true })
  subjectCodes?: string[];
}

export class RecordBreachReportDto {
  @ApiProperty({ enum: REPORT_KINDS, description: 'preliminary 速報, final 確報 (to the PPC), people-notice 本人への通知' })
  @IsIn(REPORT_KINDS, { message: `kind must be one of: ${REPORT_KINDS.join(', ')}` })
  kind: (typeof REPORT_KINDS)[number];

  @ApiProperty({ description: 'When it was sent' })
  @IsISO8601({ strict: true }, { message: 'sentAt must be an ISO 8601 date-time' })
  sentAt: string;

  @ApiProperty({ example: 'PPC 報告フォーム', description: 'How it was sent' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @NoNumberLike()
  means: string;

  @ApiPropertyOptional({ description: "The PPC's reference (受付番号) — letters allowed, never a personal number" })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @NoNumberLike()
  reference?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) @NoNumberLike() note?: string;
}
