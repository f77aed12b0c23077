import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsInt, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

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
