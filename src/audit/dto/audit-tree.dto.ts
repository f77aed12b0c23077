import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, Min, ValidateIf, ValidateNested } from 'class-validator';

const MAX_SIZE = Number.MAX_SAFE_INTEGER;

export class InclusionProofQuery {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Sequence number of the entry', example: 42 })
  @Type(() => Number)
  @IsInt({ message: 'seq must be an entry sequence number' })
  @Min(1, { message: 'seq must be an entry sequence number' })
  @Max(MAX_SIZE)
  seq: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Size of a signed tree head; default: the newest' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'treeSize must be the size of a signed tree head' })
  @Min(1, { message: 'treeSize must be the size of a signed tree head' })
  @Max(MAX_SIZE)
  treeSize?: number;
}

export class ConsistencyProofQuery {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Size of the older tree (the head you hold)', example: 1000 })
  @Type(() => Number)
  @IsInt({ message: 'from must be a tree size' })
  @Min(1, { message: 'from must be a tree size' })
  @Max(MAX_SIZE)
  from: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Size of a signed tree head; default: the newest' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'to must be the size of a signed tree head' })
  @Min(1, { message: 'to must be the size of a signed tree head' })
  @Max(MAX_SIZE)
  to?: number;
}

/** A signed tree head as the witnesses hold it (docs/audit.md). */
export class TreeHeadDto {
  @ApiProperty({ example: 'mynumber-vault-sth-v1' })
  @IsIn(['mynumber-vault-sth-v1'], { message: 'format must be mynumber-vault-sth-v1' })
  format: 'mynumber-vault-sth-v1';

  @ApiProperty({ type: 'integer', minimum: 0 })
  @IsInt({ message: 'treeSize must be a whole number' })
  @Min(0)
  @Max(MAX_SIZE)
  treeSize: number;

  @ApiProperty()
  @Matches(/^[0-9a-f]{64}$/, { message: 'rootHash must be 64 lowercase hex digits' })
  rootHash: string;

  @ApiProperty()
  @Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/, { message: 'at must be a canonical time (YYYY-MM-DDTHH:MM:SS.ffffffZ)' })
  at: string;

  @ApiProperty({ description: 'base64' })
  @Matches(/^[A-Za-z0-9+/]{1,2048}={0,2}$/, { message: 'signature must be base64' })
  signature: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-f]{64}$/, { message: 'certSha256 must be 64 lowercase hex digits' })
  certSha256?: string;
}

export class VerifyAuditDto {
  @ApiPropertyOptional({ type: TreeHeadDto, description: 'A head you hold (from a witness); default: the newest in the witness directory' })
  @ValidateIf((_, v) => v !== undefined) // optional, but not null (IsOptional would let null through as "no head")
  @IsObject() // an array would pass ValidateNested element by element
  @ValidateNested()
  @Type(() => TreeHeadDto)
  head?: TreeHeadDto;
}
