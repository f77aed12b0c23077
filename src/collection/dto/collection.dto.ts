import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { REQUEST_STATUSES, RequestStatus } from '../entities/collection-request.entity';

/** Free text here must not carry a number: no run of 4 digits or more (half- or full-width). */
export const NO_DIGIT_RUNS = /^(?!.*[0-9０-９]{4,}).*$/s;

export class LinkRecipientDto {
  @ApiProperty()
  @IsUUID('all', { message: 'recipients[].subjectId must be a person id' })
  subjectId: string;

  @ApiProperty({ example: 'taro@example.com' })
  @IsEmail({}, { message: 'recipients[].email must be an e-mail address' })
  @MaxLength(254)
  email: string;
}

export class CreateRequestsDto {
  @ApiPropertyOptional({ type: [String], description: 'Employees to ask (or allWithoutNumber)' })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty({ message: 'subjectIds must list at least one person' })
  @ArrayMaxSize(5000)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'subjectIds must be person ids' })
  subjectIds?: string[];

  @ApiPropertyOptional({ description: 'Every current employee with no number on file and no open link' })
  @IsOptional()
  @IsBoolean()
  allWithoutNumber?: boolean;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 90, description: 'Days the link stays valid (default COLLECTION_LINK_DAYS)', example: 14 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(90)
  expiresInDays?: number;

  @ApiPropertyOptional({ type: [LinkRecipientDto], description: 'E-mail the link to these people (through SMTP_URL); the address is not stored' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5000)
  @ValidateNested({ each: true })
  @Type(() => LinkRecipientDto)
  recipients?: LinkRecipientDto[];
}

export class ReissueRequestDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 90, example: 14 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(90)
  expiresInDays?: number;

  @ApiPropertyOptional({ description: 'E-mail the new link to this address (not stored)' })
  @IsOptional()
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(254)
  email?: string;
}

export class ListRequestsQuery {
  @ApiPropertyOptional({ enum: REQUEST_STATUSES })
  @IsOptional()
  @IsIn(REQUEST_STATUSES, { message: `status must be one of: ${REQUEST_STATUSES.join(', ')}` })
  status?: RequestStatus;
}

export class ListSubmissionsQuery {
  @ApiPropertyOptional({ enum: ['waiting', 'approved', 'returned'] })
  @IsOptional()
  @IsIn(['waiting', 'approved', 'returned'], { message: 'status must be one of: waiting, approved, returned' })
  status?: 'waiting' | 'approved' | 'returned';
}

export class ReturnSubmissionDto {
  @ApiProperty({ description: 'Reason code (config/collection-notice.json returnReasons)', example: 'image-unreadable' })
  @IsString()
  @MaxLength(60)
  reason: string;
}
