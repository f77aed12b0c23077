import { Body, Controller, Header, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { Auth, CurrentRequest, CurrentStaff, Public } from '@/common/auth/auth.decorators';
import { RequestMeta, Staff } from '@/common/auth/staff';
import {
  ActivatedAnswerDto,
  ChallengeAnswerDto,
  ChallengeDto,
  EnrolAnswerDto,
  InitialPasswordDto,
  LoginDto,
  RecoveryCodeDto,
  SessionAnswerDto,
  StepUpDto,
  TotpCodeDto,
} from './dto/auth.dto';
import { LoginThrottlerGuard } from './login-throttler.guard';
import { LoginService } from './login.service';

/**
 * Login: password -> [change-password] -> [enrol + activate] -> totp | recovery -> session.
 * The public steps are rate-limited per address; answers are never cached.
 */
@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly login: LoginService) {}

  @Post('login')
  @Public()
  @UseGuards(LoginThrottlerGuard)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Check username and password; answers the next step and a challenge (401 for any wrong pair)' })
  @ApiTooManyRequestsResponse({ description: 'Locked out or rate-limited; see Retry-After' })
  @ApiOkResponse({ type: ChallengeAnswerDto })
  start(@Body() dto: LoginDto, @CurrentRequest() request: RequestMeta): Promise<ChallengeAnswerDto> {
    return this.login.login(dto.username, dto.password, request);
  }

  @Post('password')
  @Public()
  @UseGuards(LoginThrottlerGuard)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'First login: replace the initial password (challenge from next = "change-password")' })
  @ApiOkResponse({ type: ChallengeAnswerDto })
  initialPassword(@Body() dto: InitialPasswordDto, @CurrentRequest() request: RequestMeta): Promise<ChallengeAnswerDto> {
    return this.login.changeInitialPassword(dto.challenge, dto.newPassword, request);
  }

  @Post('totp/enrol')
  @Public()
  @UseGuards(LoginThrottlerGuard)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'A new TOTP secret for an authenticator app (challenge from next = "enrol")' })
  @ApiOkResponse({ type: EnrolAnswerDto })
  enrol(@Body() dto: ChallengeDto, @CurrentRequest() request: RequestMeta): Promise<EnrolAnswerDto> {
    return this.login.enrol(dto.challenge, request);
  }

  @Post('totp/activate')
  @Public()
  @UseGuards(LoginThrottlerGuard)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Confirm the authenticator with a code: starts a session and returns ten recovery codes once' })
  @ApiOkResponse({ type: ActivatedAnswerDto })
  activate(@Body() dto: TotpCodeDto, @CurrentRequest() request: RequestMeta): Promise<ActivatedAnswerDto> {
    return this.login.activate(dto.challenge, dto.code, request);
  }

  @Post('totp')
  @Public()
  @UseGuards(LoginThrottlerGuard)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Second factor: a TOTP code (each code works once)' })
  @ApiOkResponse({ type: SessionAnswerDto })
  totp(@Body() dto: TotpCodeDto, @CurrentRequest() request: RequestMeta): Promise<SessionAnswerDto> {
    return this.login.verifyTotp(dto.challenge, dto.code, request);
  }

  @Post('recovery')
  @Public()
  @UseGuards(LoginThrottlerGuard)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Second factor: a recovery code instead of TOTP (each code works once)' })
  @ApiOkResponse({ type: SessionAnswerDto })
  recovery(@Body() dto: RecoveryCodeDto, @CurrentRequest() request: RequestMeta): Promise<SessionAnswerDto> {
    return this.login.useRecoveryCode(dto.challenge, dto.recoveryCode, request);
  }

  @Post('step-up')
  @Auth()
  @HttpCode(204)
  @ApiOperation({ summary: 'A fresh TOTP code: marks this session fresh for reveals (STEP_UP_MINUTES)' })
  @ApiNoContentResponse()
  async stepUp(@Body() dto: StepUpDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta): Promise<void> {
    await this.login.stepUp(staff.userId, staff.sessionId, dto.code, request);
  }

  @Post('logout')
  @Auth()
  @HttpCode(204)
  @ApiOperation({ summary: 'End this session' })
  @ApiNoContentResponse()
  async logout(@CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta): Promise<void> {
    await this.login.logout(staff.userId, staff.username, staff.roles, staff.sessionId, request);
  }
}
