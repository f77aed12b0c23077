import { Injectable } from '@nestjs/common';
import { authenticator } from 'otplib';
import { ClockService } from '@/config/clock.service';

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
export const TOTP_WINDOW = 1;
export const TOTP_ISSUER = 'mynumber-vault';

/** The time step a moment falls in (RFC 6238 counter). */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_STEP_SECONDS);
}

/**
 * RFC 6238 TOTP with otplib v12: SHA-1, 30 s, 6 digits, one step of drift either way.
 * Time comes from the ClockService, so tests move it instead of sleeping. Replay protection
 * (a step used once is never accepted again) is the caller's job: verify() returns the step.
 */
@Injectable()
export class TotpService {
  constructor(private readonly clock: ClockService) {}

  /** 20 random bytes (160 bits, RFC 4226's recommendation) as base32. */
  generateSecret(): string {
    return authenticator.generateSecret(20);
  }

  otpauthUrl(username: string, secret: string): string {
    return this.authenticator(this.clock.now()).keyuri(username, TOTP_ISSUER, secret);
  }

  /** The time step of the matching code, or null when the code does not match within the window. */
  verify(code: string, secret: string): number | null {
    if (!/^\d{6}$/.test(code)) return null;
    const now = this.clock.now();
    let delta: number | null;
    try {
      delta = this.authenticator(now).checkDelta(code, secret);
    } catch {
      return null;
    }
    return delta === null ? null : totpStep(now) + delta;
  }

  /** A code for a moment (tests and the test-support helper). */
  generate(secret: string, at: Date = this.clock.now()): string {
    return this.authenticator(at).generate(secret);
  }

  private authenticator(at: Date) {
    return authenticator.clone({ epoch: at.getTime(), step: TOTP_STEP_SECONDS, digits: TOTP_DIGITS, window: TOTP_WINDOW });
  }
}
