import { Controller, ExecutionContext, ForbiddenException, Get, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Auth, Public, StaffRequest } from '@/common/auth/auth.decorators';
import { Role } from '@/common/auth/roles';
import { Staff } from '@/common/auth/staff';
import { AuthGuard } from './auth.guard';
import { SessionService } from './session.service';

@Controller()
class Routes {
  @Get() @Public() open() {}
  @Get() @Auth() anyStaff() {}
  @Get() @Auth('clerk') clerkOnly() {}
  @Get() @Auth('admin', 'auditor') adminOrAuditor() {}
  @Get() undeclared() {}
}

@Auth('auditor')
@Controller()
class AuditorRoutes {
  @Get() list() {}
  @Get() @Auth('admin') adminOverride() {}
  @Get() @Public() publicOverride() {}
}

const TOKEN = 'a'.repeat(43);

function staff(roles: Role[]): Staff {
  return { userId: 'u1', username: 'sato', roles, sessionId: 's1', stepUpAt: null, trainingAcknowledgedAt: null, trainingVersion: null };
}

function context(cls: new () => object, method: string, authorization?: string): { ctx: ExecutionContext; req: StaffRequest } {
  const req = { headers: authorization === undefined ? {} : { authorization } } as StaffRequest;
  const ctx = {
    getHandler: () => (cls.prototype as Record<string, unknown>)[method],
    getClass: () => cls,
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
  return { ctx, req };
}

describe('AuthGuard', () => {
  let resolve: jest.Mock<Promise<Staff | null>, [string]>;
  let guard: AuthGuard;

  beforeEach(() => {
    resolve = jest.fn();
    guard = new AuthGuard(new Reflector(), { resolve } as unknown as SessionService);
  });

  it('lets a @Public() route through without looking at any token', async () => {
    await expect(guard.canActivate(context(Routes, 'open').ctx)).resolves.toBe(true);
    expect(resolve).not.toHaveBeenCalled();
  });

  it('refuses a route that declares no access rule, even for a valid session (fail closed)', async () => {
    resolve.mockResolvedValue(staff(['admin', 'clerk', 'auditor']));
    await expect(guard.canActivate(context(Routes, 'undeclared', `Bearer ${TOKEN}`).ctx)).rejects.toBeInstanceOf(ForbiddenException);
  });

  it.each([undefined, '', 'Basic abc', `Bearer`, `Bearer short`, `Bearer ${TOKEN}!`, `bearer ${TOKEN}`, `Bearer ${'a'.repeat(201)}`])(
    'answers 401 without a well-formed bearer token (%s)',
    async (header) => {
      await expect(guard.canActivate(context(Routes, 'anyStaff', header).ctx)).rejects.toBeInstanceOf(UnauthorizedException);
      expect(resolve).not.toHaveBeenCalled();
    },
  );

  it('answers 401 when the session does not resolve (unknown, expired, deactivated)', async () => {
    resolve.mockResolvedValue(null);
    await expect(guard.canActivate(context(Routes, 'anyStaff', `Bearer ${TOKEN}`).ctx)).rejects.toBeInstanceOf(UnauthorizedException);
    expect(resolve).toHaveBeenCalledWith(TOKEN);
  });

  it('@Auth() admits any signed-in staff and puts the caller on the request', async () => {
    const caller = staff([]);
    resolve.mockResolvedValue(caller);
    const { ctx, req } = context(Routes, 'anyStaff', `Bearer ${TOKEN}`);
    await expect(guard.canActivate(ctx)).resolves.toBe(true);
    expect(req.staff).toBe(caller);
  });

  it.each<[string, Role[], boolean]>([
    ['clerkOnly', ['clerk'], true],
    ['clerkOnly', ['auditor'], false],
    ['clerkOnly', ['admin'], false],
    ['clerkOnly', ['auditor', 'clerk'], true],
    ['adminOrAuditor', ['admin'], true],
    ['adminOrAuditor', ['auditor'], true],
    ['adminOrAuditor', ['clerk'], false],
    ['adminOrAuditor', [], false],
  ])('%s with roles %j: allowed=%s', async (method, roles, allowed) => {
    resolve.mockResolvedValue(staff(roles));
    const { ctx, req } = context(Routes, method, `Bearer ${TOKEN}`);
    if (allowed) {
      await expect(guard.canActivate(ctx)).resolves.toBe(true);
    } else {
      await expect(guard.canActivate(ctx)).rejects.toBeInstanceOf(ForbiddenException);
      expect(req.staff).toBeUndefined();
    }
  });

  it('reads the rule from the class, and a method rule overrides it', async () => {
    resolve.mockResolvedValue(staff(['auditor']));
    await expect(guard.canActivate(context(AuditorRoutes, 'list', `Bearer ${TOKEN}`).ctx)).resolves.toBe(true);
    await expect(guard.canActivate(context(AuditorRoutes, 'adminOverride', `Bearer ${TOKEN}`).ctx)).rejects.toBeInstanceOf(ForbiddenException);
    await expect(guard.canActivate(context(AuditorRoutes, 'publicOverride').ctx)).resolves.toBe(true);
  });

  it('the 403 names the needed role but never echoes the token', async () => {
    resolve.mockResolvedValue(staff(['auditor']));
    const error = await guard.canActivate(context(Routes, 'clerkOnly', `Bearer ${TOKEN}`).ctx).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/clerk/);
    expect((error as Error).message).not.toContain(TOKEN);
  });
});
