import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

export class CustodySetupDto {
  @ApiProperty({ type: 'integer', description: 'Shares needed to unseal (k); 2 or more recommended', minimum: 1, maximum: 10 })
  @IsInt()
  @Min(1)
  @Max(10)
  threshold: number;

  @ApiProperty({ description: 'Staff accounts that each hold one share (n)', type: [String] })
  @IsUUID('4', { each: true })
  @ArrayMinSize(2)
  @ArrayMaxSize(10)
  @ArrayUnique()
  holders: string[];
}

export class UnsealDto {
  @ApiProperty({ description: "One holder's share, as shown at collection (MNV-…)" })
  @IsString()
  @MaxLength(200)
  share: string;
}

export class LeaveCustodyDto {
  @ApiPropertyOptional({
    description:
      'k current shares (the holders agree); without them the admin needs a recent step-up (a fresh TOTP code). Shares are not free text: no number screening',
    type: [String],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  shares?: string[];
}
