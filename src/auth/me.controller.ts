import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiNoContentResponse, ApiOperation, ApiTags, ApiOkResponse } from '@nestjs/swagger';
import { Auth, CurrentRequest, CurrentStaff } from '@/common/auth/auth.decorators';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { Env } from '@/config/env.schema';
import { LegalDataService } from '@/config/legal-data.service';
import { isTrainingCurrent } from '@/users/training';
import { UsersService } from '@/users/users.service';
import { ChangePasswordDto, TrainingDto } from './dto/auth.dto';
import { LoginService } from './login.service';
import { MeAnswerDto, MeTrainingAnswerDto } from '@/auth/dto/auth.responses';

/** The caller's own account: any signed-in staff. */
@ApiTags('me')
@Auth()
@Controller('me')
export class MeController {
  constructor(
    private readonly users: UsersService,
    private readonly login: LoginService,
    private readonly legal: LegalDataService,
    private readonly clock: ClockService,
    private readonly config: ConfigService<Env, true>,
  ) {}

  @Get()
  @ApiOperation({ summary: "Who am I: account, roles, training status, this session's step-up time" })
  @ApiOkResponse({ type: MeAnswerDto })
  async me(@CurrentStaff() staff: Staff) {
    const account = await this.users.get(staff.userId);
    return {
      ...account,
      currentTrainingVersion: this.legal.handlingRules.version,
      session: { id: staff.sessionId, stepUpAt: staff.stepUpAt?.toISOString() ?? null },
    };
  }

  @Post('password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Change my password (other sessions end)' })
  @ApiNoContentResponse()
  async password(@Body() dto: ChangePasswordDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta): Promise<void> {
    await this.login.changePassword(staff.userId, staff.sessionId, dto.currentPassword, dto.newPassword, request);
  }

  @Get('training')
  @ApiOperation({ summary: 'The handling rules (取扱規程) that apply to my roles, and whether my acknowledgement is current' })
  @ApiOkResponse({ type: MeTrainingAnswerDto })
  training(@CurrentStaff() staff: Staff) {
    const rules = this.legal.handlingRules;
    // each role reads the rules that apply to it (issue #22): clerks handle numbers, auditors and admins never see one
    type Section = { role: string; title: string; text: string[]; seesNumbers: boolean };
    const sections = staff.roles.flatMap((role): Section[] => {
      if (role === 'clerk') return [{ role, title: rules.title, text: rules.text, seesNumbers: true }];
      const own = role === 'auditor' || role === 'admin' ? rules.roles?.[role] : undefined;
      return own ? [{ role, title: own.title, text: own.text, seesNumbers: false }] : [];
    });
    if (!sections.length) sections.push({ role: staff.roles[0] ?? 'clerk', title: rules.title, text: rules.text, seesNumbers: staff.roles.includes('clerk') });
    return {
      version: rules.version,
      title: sections[0]!.title,
      text: sections.flatMap((s) => s.text),
      sections,
      acknowledgedVersion: staff.trainingVersion,
      acknowledgedAt: staff.trainingAcknowledgedAt?.toISOString() ?? null,
      current: isTrainingCurrent(staff, rules.version, this.config.get('TRAINING_VALID_MONTHS', { infer: true }), this.clock.now()),
    };
  }

  @Post('training')
  @HttpCode(204)
  @ApiOperation({ summary: 'Acknowledge the current handling rules (version from GET /me/training)' })
  @ApiNoContentResponse()
  async acknowledge(@Body() dto: TrainingDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta): Promise<void> {
    await this.users.acknowledgeTraining(staff, dto.version, request);
  }
}
