import { CanActivate, ExecutionContext, Injectable, ServiceUnavailableException, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { KeyringService } from '@/crypto/keyring.service';

export const AVAILABLE_SEALED_KEY = 'mnv:available-sealed';

/** Routes that work while the vault is sealed: health, custody status and unseal. */
export const AvailableWhenSealed = (): MethodDecorator & ClassDecorator => SetMetadata(AVAILABLE_SEALED_KEY, true);

/**
 * While the keystore is sealed (custody mode, before k shares), every other route answers
 * 503 `vault.sealed` with the reason, before any work or audit entry: no key is in memory.
 */
@Injectable()
export class SealedGuard implements CanActivate {
  constructor(
    private readonly keyring: KeyringService,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.keyring.sealed) return true;
    if (this.reflector.getAllAndOverride<boolean>(AVAILABLE_SEALED_KEY, [context.getHandler(), context.getClass()])) return true;
    throw new ServiceUnavailableException({
      code: 'vault.sealed',
      message: `The vault is sealed: ${this.keyring.custody?.threshold ?? 'k'} key holders must enter their shares (console: /console/unseal.html, API: POST /custody/unseal) before it can serve this`,
    });
  }
}
