import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoundedDateTime } from '@/common/http/dates';
import { EXPORT_ENCRYPTIONS, ExportEncryption } from '@/firms/recipient-key';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { SUBJECT_KINDS, SubjectKind } from '@/config/legal-data';
import { NoNumberLike } from '@/common/screening/no-number-like.decorator';

export class IdentityCheckDto {
  @ApiProperty({ description: 'Document that proved the number (番号確認)', example: 'my-number-card' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(60)
  @NoNumberLike()
  numberDocument: string;

  @ApiProperty({ description: 'Documents that proved the person (身元確認)', example: ['my-number-card'] })
  @IsArray()
  @ArrayMaxSize(5)
  @ArrayUnique()
  @IsString({ each: true })
  @NoNumberLike({ each: true })
  identityDocuments: string[];

  @ApiProperty({ example: '2026-04-01T10:00:00+09:00' })
  @IsBoundedDateTime('identityCheck.checkedAt')
  checkedAt: string;
}

export class StoreNumberDto {
  @ApiProperty({ description: '12 digits; spaces, hyphens and full-width digits are accepted', example: '1234 5678 9010' }) // the check digit fails on purpose (issue #16)
  @IsString({ message: 'number must be a string of 12 digits' })
  @IsNotEmpty()
  @MaxLength(64)
  number: string;

  @ApiProperty({ type: IdentityCheckDto })
  @IsObject({ message: 'identityCheck must be an object' })
  @ValidateNested()
  @Type(() => IdentityCheckDto)
  identityCheck: IdentityCheckDto;
}

/** The identity check recorded with a number (documents and who checked; never digits). */
export class IdentityCheckViewDto {
  @ApiProperty() numberDocument: string;
  @ApiProperty({ type: String, isArray: true }) identityDocuments: string[];
  @ApiProperty({ type: String, format: 'date-time' }) checkedAt: string;
  @ApiProperty() checkedBy: string;
}

export class NumberStatusDto {
  @ApiProperty() onFile: boolean;
  @ApiProperty() identityChecked: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) storedAt: Date | null;
  @ApiProperty({ type: 'integer', nullable: true }) keyVersion: number | null;
  @ApiProperty({ type: () => IdentityCheckViewDto, nullable: true, description: 'Which documents were checked, by whom and when (no digits)' })
  identityCheck: { numberDocument: string; identityDocuments: string[]; checkedAt: string; checkedBy: string } | null;
}

export class RevealDto {
  // Optional at the validation layer on purpose: a missing purpose is refused by the service so
  // that the refusal is on the audit trail too.
  @ApiProperty({ example: 'withholding-slip' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  @NoNumberLike()
  purpose?: string;
}

export class BulkRevealDto {
  @ApiProperty({ example: 'withholding-slip' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  @NoNumberLike()
  purpose?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty({ message: 'subjectIds must list at least one person' })
  @ArrayMaxSize(100000)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'subjectIds must be person ids' })
  subjectIds?: string[];

  @ApiPropertyOptional({ enum: SUBJECT_KINDS })
  @IsOptional()
  @IsIn(SUBJECT_KINDS, { message: `kind must be one of: ${SUBJECT_KINDS.join(', ')}` })
  kind?: SubjectKind;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 2015,
    maximum: 2100,
    example: 2026,
    description: 'People employed or contracted at some point in this year',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2015)
  @Max(2100)
  activeInYear?: number;

  @ApiPropertyOptional({
    description: "Issue #19: hand the export to this outside firm (提供), encrypted (see encryption); a firm's own account always gets its firm's",
  })
  @IsOptional()
  @IsUUID('all', { message: 'recipientFirmId must be an outside firm id' })
  recipientFirmId?: string;

  @ApiPropertyOptional({
    enum: EXPORT_ENCRYPTIONS,
    description:
      "Issue #19: how the export leaves. openpgp / age: for the recipient firm's registered OpenPGP key / age recipient (default: the key it has, OpenPGP first). " +
      'passphrase (company clerks only, with or without a firm): OpenPGP symmetric (AES-256) with a one-time passphrase answered once in JSON, ' +
      'to be delivered separately (gpg --decrypt opens it). Without it and without a firm: plain CSV / NDJSON (持出し).',
  })
  @IsOptional()
  @IsIn(EXPORT_ENCRYPTIONS, { message: `encryption must be one of: ${EXPORT_ENCRYPTIONS.join(', ')}` })
  encryption?: ExportEncryption;
}
