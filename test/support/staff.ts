import { INestApplication } from '@nestjs/common';
import { Role } from '../../src/common/auth/roles';

export interface SignedIn {
  token: string;
  userId: string;
  username: string;
  /** The TOTP secret, so a test can make a fresh code (step-up). */
  totpSecret: string;
}

/**
 * PLACEHOLDER: the staff-access issue implements this by creating a user with the given roles
 * through the users service, changing the initial password, enrolling TOTP and logging in
 * over HTTP; with `acknowledgeTraining` (default true) it also acknowledges the handling rules.
 */
export async function signIn(
  _app: INestApplication,
  _roles: Role[],
  _options: { acknowledgeTraining?: boolean } = {},
): Promise<SignedIn> {
  throw new Error('signIn is not implemented until staff access lands');
}
