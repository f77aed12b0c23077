import { CanActivate, ExecutionContext, ForbiddenException, Injectable, Optional, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PUBLIC_KEY, requestMetaOf, ROLES_KEY, StaffRequest } from '@/common/auth/auth.decorators';
import { FirmsService } from '@/firms/firms.service';
import { Role } from '@/common/auth/roles';
import { AllowListService } from '@/network/allow-list.service';
import { SessionService } from './session.service';

/** The one guard: every route must be @Public() or @Auth(...roles); anything else is refused. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionService,
    /** Outside firms (issue #19): a firm's account works only within its contract's window. */
    @Optional() private readonly firms?: FirmsService,
    /** IP allow-list per role (issue #19): checked on every signed-in request. */
    @Optional() private readonly allowList?: AllowListService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles === undefined) throw new ForbiddenException({ code: 'auth.no-access-rule', message: 'This route declares no access rule' });
    const req = context.switchToHttp().getRequest<StaffRequest>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(header);
    if (!match) throw new UnauthorizedException({ code: 'auth.token-required', message: 'A valid session token is required' });
    const resolved = await this.sessions.resolve(match[1]!);
    if (!resolved) throw new UnauthorizedException({ code: 'session.invalid', message: 'The session is invalid or has expired' });
    if (this.allowList) await this.allowList.check(resolved, requestMetaOf(req));
    // a firm's account: checked on every request, never kept in the (cached) session object
    const staff = resolved.firmId && this.firms ? { ...resolved, firm: await this.firms.accessFor(resolved, requestMetaOf(req)) } : resolved;
    if (roles.length > 0 && !roles.some((r) => staff.roles.includes(r))) {
      throw new ForbiddenException({ code: 'auth.role-required', message: `This action needs the role: ${roles.join(' or ')}` });
    }
    req.staff = staff;
    return true;
  }
}
