import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from '@/users/password-policy';
import { NoNumberLike } from '@/common/screening/no-number-like.decorator';

// Login input is checked for type and size only: a malformed username must answer exactly
// like an unknown one (401), never with a different validation error.

export class LoginDto {
  @ApiProperty({ example: 'sato.h' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  username: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @MinLength(1)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password: string;
}

export class ChallengeDto {
  @ApiProperty({ description: 'The challenge from the previous login step' })
  @IsString()
  @MaxLength(200)
  challenge: string;
}

export class InitialPasswordDto extends ChallengeDto {
  @ApiProperty({ format: 'password', description: 'At least 12 characters, not containing the username' })
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  newPassword: string;
}

export class TotpCodeDto extends ChallengeDto {
  @ApiProperty({ example: '123456' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be the 6 digits shown by the authenticator' })
  code: string;
}

export class RecoveryCodeDto extends ChallengeDto {
  @ApiProperty({ example: 'abcd-efgh-ijkl-mnop' })
  @IsString()
  @MaxLength(64)
  recoveryCode: string;
}

export class StepUpDto {
  @ApiProperty({ example: '123456' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be the 6 digits shown by the authenticator' })
  code: string;
}

export class ChangePasswordDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  currentPassword: string;

  @ApiProperty({ format: 'password', description: 'At least 12 characters, not containing the username' })
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  newPassword: string;
}

export class TrainingDto {
  @ApiProperty({ example: '2026-04', description: 'The version shown by GET /me/training' })
  @IsString()
  @MaxLength(100)
  @NoNumberLike()
  version: string;
}

export class ChallengeAnswerDto {
  @ApiProperty({ enum: ['change-password', 'enrol', 'totp'] }) next: 'change-password' | 'enrol' | 'totp';
  @ApiProperty() challenge: string;
}

export class EnrolAnswerDto {
  @ApiProperty({ description: 'otpauth:// URL for an authenticator app (QR code)' }) otpauthUrl: string;
  @ApiProperty({ description: 'The same secret in base32, for typing in' }) secret: string;
}

export class SessionAnswerDto {
  @ApiProperty({ description: 'Bearer token' }) token: string;
  @ApiProperty({ format: 'date-time', description: 'Absolute end of the session (SESSION_MAX_HOURS); idle sessions end sooner' }) expiresAt: string;
}

export class ActivatedAnswerDto extends SessionAnswerDto {
  @ApiProperty({ type: [String], description: 'Ten single-use recovery codes, shown once' }) recoveryCodes: string[];
}
