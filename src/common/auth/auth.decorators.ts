import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Role } from './roles';
import { RequestMeta, Staff } from './staff';

export const ROLES_KEY = 'mnv:roles';
export const PUBLIC_KEY = 'mnv:public';

/**
 * Every route states who may call it: `@Auth('clerk')`, `@Auth('admin', 'auditor')` (any of),
 * `@Auth()` (any signed-in staff), or `@Public()`. The global AuthGuard enforces it; a route
 * with neither is refused.
 */
export function Auth(...roles: Role[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No valid session' }),
    ApiForbiddenResponse({ description: `Needs role: ${roles.length ? roles.join(' or ') : 'any staff'}` }),
  );
}

export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

export type StaffRequest = FastifyRequest & { staff?: Staff };

/** The authenticated caller, as set by the AuthGuard. */
export const CurrentStaff = createParamDecorator((_: unknown, ctx: ExecutionContext): Staff => {
  const staff = ctx.switchToHttp().getRequest<StaffRequest>().staff;
  if (!staff) throw new Error('CurrentStaff used on a route without @Auth()');
  return staff;
});

export function requestMetaOf(req: StaffRequest): RequestMeta {
  return { requestId: String(req.id ?? ''), clientAddress: req.ip ?? null };
}

/** Request id and client address for the audit trail. */
export const CurrentRequest = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestMeta =>
  requestMetaOf(ctx.switchToHttp().getRequest<StaffRequest>()),
);
