import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { NoNumberLike } from '@/common/screening/no-number-like.decorator';

export class SignOffDto {
  @ApiProperty({ description: 'What was checked and what follows; must not contain a number', example: '開示はすべて目的内。廃棄の遅れ1件は来月上旬に対応。' })
  @IsString()
  @IsNotEmpty({ message: 'comment is required' })
  @MaxLength(2000)
  @NoNumberLike()
  comment: string;
}
