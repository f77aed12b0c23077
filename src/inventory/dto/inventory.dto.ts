import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { NoNumberLike } from '@/common/screening/no-number-like.decorator';

export const MEDIA = ['paper', 'electronic'] as const;

/** A file kept outside the vault (paper, another system), for the 台帳. */
export class OtherFileDto {
  @ApiProperty({ example: '扶養控除等申告書（紙）' }) @IsString() @MinLength(1) @MaxLength(200) @NoNumberLike() name: string;
  @ApiProperty({ enum: MEDIA }) @IsIn(MEDIA, { message: 'medium must be paper or electronic' }) medium: (typeof MEDIA)[number];
  @ApiPropertyOptional({ example: ['dependents-declaration'], description: 'Purpose codes (config/purposes.json)' })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  purposes?: string[];
  @ApiProperty({ example: '個人番号、氏名、生年月日、住所' }) @IsString() @MinLength(1) @MaxLength(500) @NoNumberLike() items: string;
  @ApiProperty({ example: '総務部' }) @IsString() @MinLength(1) @MaxLength(200) @NoNumberLike() department: string;
  @ApiProperty({ example: '本社2階 総務部の施錠できるキャビネット' }) @IsString() @MinLength(1) @MaxLength(500) @NoNumberLike() location: string;
  @ApiProperty({ example: '事務取扱担当者（総務部 2名）' }) @IsString() @MinLength(1) @MaxLength(500) @NoNumberLike() access: string;
  @ApiProperty({ example: '提出期限の翌年1月10日から7年' }) @IsString() @MinLength(1) @MaxLength(500) @NoNumberLike() retention: string;
  @ApiPropertyOptional({ example: 'シュレッダー（クロスカット）' }) @IsOptional() @IsString() @MaxLength(500) @NoNumberLike() disposalMethod?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) @NoNumberLike() note?: string;
}

export class UpdateOtherFileDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(200) @NoNumberLike() name?: string;
  @ApiPropertyOptional() @IsOptional() @IsArray() @ArrayUnique() @ArrayMaxSize(20) @IsString({ each: true }) purposes?: string[];
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(500) @NoNumberLike() items?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(200) @NoNumberLike() department?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(500) @NoNumberLike() location?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(500) @NoNumberLike() access?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(500) @NoNumberLike() retention?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) @NoNumberLike() disposalMethod?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) @NoNumberLike() note?: string;
  @ApiPropertyOptional({ enum: ['active', 'retired'] }) @IsOptional() @IsIn(['active', 'retired'], { message: 'status must be active or retired' }) status?:
    'active' | 'retired';
}
