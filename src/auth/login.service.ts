import { BadRequestException, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuditService } from '@/audit/audit.service';
import { RequestMeta } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { StaffCredentialsService } from '@/users/staff-credentials.service';
import { StaffUser } from '@/users/staff-user.entity';
import { normalizeUsername } from '@/users/username';
import { AuthChallenge, ChallengeStage } from './challenge.entity';
import { ChallengeService } from './challenge.service';
import { passwordBackoff, secondFactorBackoff } from './locked.exception';
import { LoginBudget } from '@/users/lockout';
import { AllowListService } from '@/network/allow-list.service';
import { SessionService } from './session.service';
import { TotpService } from './totp.service';

/** The one answer for any wrong username/password pair, known user or not. */
export const WRONG_CREDENTIALS = 'Wrong username or password';
export const WRONG_CODE = 'The code is wrong or was already used';
const BAD_CHALLENGE = 'The login challenge is invalid or has expired: log in again';

export type NextStep = ChallengeStage;
export interface ChallengeAnswer {
  next: NextStep;
  challenge: string;
}
export interface SessionAnswer {
  token: string;
  expiresAt: string;
}

/**
 * The login flow: password -> (change the initial password) -> (enrol TOTP) -> TOTP code or
 * recovery code -> session. No session exists without a second factor. Failures of either
 * factor count towards the lockout; every step is audited.
 */
@Injectable()
export class LoginService {
  constructor(
    private readonly credentials: StaffCredentialsService,
    private readonly challenges: ChallengeService,
    private readonly sessions: SessionService,
    private readonly totp: TotpService,
    private readonly audit: AuditService,
    private readonly clock: ClockService,
    /** IP allow-list per role (issue #19): login itself is refused from outside the role's addresses. */
    private readonly allowList: AllowListService,
  ) {}

  /**
   * The password step. Every answer that is not a challenge is the same 401, whatever the reason
   * (unknown user, deactivated, wrong password, backoff), after one argon2 verification (a dummy
   * hash when no real one is checked), so usernames cannot be listed and backoff is not visible.
   * The attempt is reserved from the account's password budget before it is checked.
   */
  async login(rawUsername: string, password: string, request: RequestMeta): Promise<ChallengeAnswer> {
    const username = String(normalizeUsername(rawUsername));
    const user = await this.credentials.findByUsername(username);
    if (!user || user.status !== 'active') {
      await this.credentials.checkPassword(null, password);
      // Unknown names are not recorded: people type passwords into the username field.
      await this.audit.record({
        action: 'auth.login-failed',
        outcome: 'refused',
        actorUsername: user ? user.username : null,
        request,
        details: { stage: 'password', reason: !user ? 'unknown-user' : 'deactivated' },
      });
      throw new UnauthorizedException({ code: 'login.wrong-credentials', message: WRONG_CREDENTIALS });
    }
    const budget = this.credentials.passwordBudget(user, request.clientAddress);
    const reserved = await this.credentials.reserveAttempt(user.id, budget, this.clock.now());
    if (!reserved.ok) {
      // Not checked: no guessing during backoff; the same work and answer as a wrong password.
      await this.credentials.checkPassword(null, password);
      await this.audit.record({
        action: 'auth.login-failed',
        outcome: 'refused',
        actor: actorOf(user),
        request,
        details: { stage: 'password', reason: 'backoff', budget },
      });
      throw new UnauthorizedException({ code: 'login.wrong-credentials', message: WRONG_CREDENTIALS });
    }
    let passwordOk: boolean;
    try {
      passwordOk = await this.credentials.checkPassword(user, password);
    } catch (error) {
      // not checked (hashing busy, database gone): the reserved attempt is given back
      await this.credentials.refundAttempt(user.id, budget, this.clock.now()).catch(() => undefined);
      throw error;
    }
    if (!passwordOk) {
      await this.failed(user, 'password', budget, reserved.failures, reserved.backoffUntil, request);
      throw new UnauthorizedException({ code: 'login.wrong-credentials', message: WRONG_CREDENTIALS });
    }
    // A right password gives its own attempt back and clears nothing else: an outsider's failures
    // stay until a complete login (known addresses) or until they decay (unknown addresses).
    await this.credentials.refundAttempt(user.id, budget, this.clock.now());
    // Only now, with the right password: from outside the allow-list of one of the account's roles,
    // 403 network.address-not-allowed (audited). Before the check the answer is the same 401 for all.
    await this.allowList.check(actorOf(user), request, 'login');
    const next: NextStep = user.mustChangePassword ? 'change-password' : user.totpEnrolledAt ? 'totp' : 'enrol';
    return { next, challenge: await this.challenges.issue(user.id, next) };
  }

  /** First login: the initial password is replaced before anything else. */
  async changeInitialPassword(challenge: string, newPassword: string, request: RequestMeta): Promise<ChallengeAnswer> {
    const { user, found } = await this.open(challenge, 'change-password', request);
    await this.credentials.setPassword(user, newPassword, this.clock.now());
    await this.audit.record({ action: 'auth.password-changed', outcome: 'success', actor: actorOf(user), request, details: { initial: true } });
    const next: NextStep = user.totpEnrolledAt ? 'totp' : 'enrol';
    await this.challenges.remove(found.id);
    return { next, challenge: await this.challenges.issue(user.id, next) };
  }

  /** A new secret (pending until activated with a code). Calling again replaces it. */
  async enrol(challenge: string, request: RequestMeta): Promise<{ otpauthUrl: string; secret: string }> {
    const { user } = await this.open(challenge, 'enrol', request);
    const secret = this.totp.generateSecret();
    await this.credentials.storePendingTotpSecret(user.id, secret);
    return { otpauthUrl: this.totp.otpauthUrl(user.username, secret), secret };
  }

  async activate(challenge: string, code: string, request: RequestMeta): Promise<SessionAnswer & { recoveryCodes: string[] }> {
    const { user, found } = await this.open(challenge, 'enrol', request);
    const secret = this.credentials.totpSecret(user);
    if (!secret)
      throw new BadRequestException({
        code: 'enrol.not-started',
        message: 'Call POST /auth/totp/enrol first, then activate with a code from the authenticator',
      });
    const reserved = await this.reserveCode(user, found, request);
    const step = this.totp.verify(code, secret);
    const recoveryCodes = step === null ? null : await this.credentials.activateTotp(user.id, step, this.clock.now());
    if (!recoveryCodes) {
      await this.failed(user, 'enrol', 'factor', reserved.failures, reserved.backoffUntil, request);
      // its own code: a wrong code while enrolling is not a wrong password (issue #22)
      throw new UnauthorizedException({
        code: 'enrol.wrong-code',
        message: 'The code does not match the new secret: scan the QR code again or wait for the next code',
      });
    }
    await this.audit.record({
      action: 'auth.totp-enrolled',
      outcome: 'success',
      actor: actorOf(user),
      request,
      details: { recoveryCodes: recoveryCodes.length },
    });
    return { ...(await this.complete(user, found, 'totp-enrol', request)), recoveryCodes };
  }

  async verifyTotp(challenge: string, code: string, request: RequestMeta): Promise<SessionAnswer> {
    const { user, found } = await this.open(challenge, 'totp', request);
    const reserved = await this.reserveCode(user, found, request);
    const secret = this.credentials.totpSecret(user);
    const step = secret ? this.totp.verify(code, secret) : null;
    if (step === null || !(await this.credentials.consumeTotpStep(user.id, step))) {
      await this.failed(user, step === null ? 'totp' : 'totp-replayed', 'factor', reserved.failures, reserved.backoffUntil, request);
      throw new UnauthorizedException({ code: 'login.wrong-code', message: WRONG_CODE });
    }
    return this.complete(user, found, 'totp', request);
  }

  async useRecoveryCode(challenge: string, recoveryCode: string, request: RequestMeta): Promise<SessionAnswer> {
    const { user, found } = await this.open(challenge, 'totp', request);
    const reserved = await this.reserveCode(user, found, request);
    const { ok, remaining } = await this.credentials.consumeRecoveryCode(user.id, recoveryCode, this.clock.now());
    if (!ok) {
      await this.failed(user, 'recovery', 'factor', reserved.failures, reserved.backoffUntil, request);
      throw new UnauthorizedException({ code: 'login.wrong-recovery-code', message: 'The recovery code is wrong or was already used' });
    }
    await this.audit.record({ action: 'auth.recovery-used', outcome: 'success', actor: actorOf(user), request, details: { remaining } });
    return this.complete(user, found, 'recovery', request);
  }

  /** A fresh second factor inside a session (reveals need one within STEP_UP_MINUTES); draws on the second-factor budget. */
  async stepUp(userId: string, sessionId: string, code: string, request: RequestMeta): Promise<void> {
    const user = await this.credentials.findById(userId);
    if (!user || user.status !== 'active') throw new UnauthorizedException({ code: 'session.invalid', message: 'The session is invalid or has expired' });
    const reserved = await this.credentials.reserveAttempt(user.id, 'factor', this.clock.now());
    if (!reserved.ok) {
      await this.audit.record({ action: 'auth.step-up', outcome: 'refused', actor: actorOf(user), request, details: { stage: 'step-up', reason: 'backoff' } });
      throw secondFactorBackoff(reserved.retryAfterSeconds);
    }
    const secret = this.credentials.totpSecret(user);
    const step = secret ? this.totp.verify(code, secret) : null;
    if (step === null || !(await this.credentials.consumeTotpStep(user.id, step))) {
      await this.failed(user, 'step-up', 'factor', reserved.failures, reserved.backoffUntil, request);
      throw new ForbiddenException({ code: 'step-up.wrong-code', message: WRONG_CODE });
    }
    await this.credentials.clearBudget(user.id, 'factor');
    await this.sessions.stepUp(sessionId);
    await this.audit.record({ action: 'auth.step-up', outcome: 'success', actor: actorOf(user), request });
  }

  /** POST /me/password: the current password again, then the new one (other sessions end). Draws on the known-address password budget. */
  async changePassword(userId: string, sessionId: string, currentPassword: string, newPassword: string, request: RequestMeta): Promise<void> {
    const user = await this.credentials.findById(userId);
    if (!user || user.status !== 'active') throw new UnauthorizedException({ code: 'session.invalid', message: 'The session is invalid or has expired' });
    const reserved = await this.credentials.reserveAttempt(user.id, 'known-password', this.clock.now());
    if (!reserved.ok) throw passwordBackoff(reserved.retryAfterSeconds);
    if (!(await this.credentials.checkPassword(user, currentPassword))) {
      await this.failed(user, 'change-password', 'known-password', reserved.failures, reserved.backoffUntil, request);
      throw new ForbiddenException({ code: 'password.wrong-current', message: 'currentPassword is wrong' });
    }
    await this.credentials.clearBudget(user.id, 'known-password');
    await this.credentials.setPassword(user, newPassword, this.clock.now());
    await this.sessions.endAll({ userId, reason: 'password-changed', exceptSessionId: sessionId });
    await this.audit.record({ action: 'auth.password-changed', outcome: 'success', actor: actorOf(user), request, details: { initial: false } });
  }

  async logout(userId: string, username: string, roles: StaffUser['roles'], sessionId: string, request: RequestMeta): Promise<void> {
    await this.sessions.end(sessionId);
    await this.audit.record({ action: 'auth.logout', outcome: 'success', actor: { userId, username, roles }, request });
  }

  /** The challenge and its (active) person, or 401; a second factor in backoff answers 429 at every step. */
  private async open(token: string, stage: ChallengeStage, request: RequestMeta): Promise<{ found: AuthChallenge; user: StaffUser }> {
    const found = await this.challenges.find(token);
    if (!found || found.stage !== stage) {
      if (found) throw new UnauthorizedException({ code: 'login.wrong-step', message: `This login challenge expects the step "${found.stage}"` });
      throw new UnauthorizedException({ code: 'login.challenge-invalid', message: BAD_CHALLENGE });
    }
    const user = await this.credentials.findById(found.userId);
    if (!user || user.status !== 'active') throw new UnauthorizedException({ code: 'login.challenge-invalid', message: BAD_CHALLENGE });
    const wait = await this.credentials.budgetWaitSeconds(user.id, 'factor', this.clock.now());
    if (wait > 0) throw secondFactorBackoff(wait);
    // Every later step too, before a code is used up or recovery codes are made: a challenge won
    // inside the allowed network cannot be finished (and no session issued) from outside it.
    await this.allowList.check(actorOf(user), request, 'second-factor');
    return { found, user };
  }

  /** Reserves a code attempt on the challenge, then one of the account's second-factor budget (429 in backoff). */
  private async reserveCode(user: StaffUser, found: AuthChallenge, request: RequestMeta) {
    // a used-up challenge stays until it expires (removing it here could void a parallel right code)
    if (!(await this.challenges.reserveAttempt(found.id))) throw new UnauthorizedException({ code: 'login.challenge-invalid', message: BAD_CHALLENGE });
    const reserved = await this.credentials.reserveAttempt(user.id, 'factor', this.clock.now());
    if (!reserved.ok) {
      await this.audit.record({
        action: 'auth.login-failed',
        outcome: 'refused',
        actor: actorOf(user),
        request,
        details: { stage: 'second-factor', reason: 'backoff' },
      });
      throw secondFactorBackoff(reserved.retryAfterSeconds);
    }
    return reserved;
  }

  /** Audits a checked, wrong attempt (its budget was drawn on already), and the start of a backoff. */
  private async failed(user: StaffUser, stage: string, budget: LoginBudget, failures: number, backoffUntil: Date | null, request: RequestMeta): Promise<void> {
    await this.audit.record({
      action: stage === 'step-up' ? 'auth.step-up' : stage === 'change-password' ? 'auth.password-changed' : 'auth.login-failed',
      outcome: 'refused',
      actor: actorOf(user),
      request,
      details: { stage, reason: stage === 'totp-replayed' ? 'code-already-used' : 'wrong-credential' },
    });
    if (this.credentials.backoffStarts(budget, failures) && backoffUntil) {
      if (budget === 'factor') await this.challenges.removeAllFor(user.id);
      await this.audit.record({
        action: 'auth.lockout',
        outcome: 'refused',
        actor: actorOf(user),
        request,
        details: { userId: user.id, budget, failures, until: backoffUntil.toISOString() },
      });
    }
  }

  private async complete(user: StaffUser, found: AuthChallenge, method: string, request: RequestMeta): Promise<SessionAnswer> {
    // Exactly one caller uses the challenge up: two right codes in parallel make one session.
    if (!(await this.challenges.consume(found.id))) throw new UnauthorizedException({ code: 'login.challenge-invalid', message: BAD_CHALLENGE });
    await this.credentials.recordLogin(user.id, this.clock.now(), request.clientAddress);
    const session = await this.sessions.create(user.id, request.clientAddress);
    await this.audit.record({ action: 'auth.login', outcome: 'success', actor: actorOf(user), request, details: { method, sessionId: session.sessionId } });
    return { token: session.token, expiresAt: session.expiresAt.toISOString() };
  }
}

function actorOf(user: StaffUser) {
  return { userId: user.id, username: user.username, roles: user.roles };
}
