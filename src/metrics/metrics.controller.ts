import { AvailableWhenSealed } from '@/custody/sealed.guard';
import { Controller, ForbiddenException, Get, Header, NotFoundException, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ConfigService } from '@nestjs/config';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { timingSafeEqual } from 'node:crypto';
import { Public, StaffRequest } from '@/common/auth/auth.decorators';
import { Env } from '@/config/env.schema';
import { MetricsService } from './metrics.service';

/**
 * GET /metrics: only with `Authorization: Bearer $METRICS_TOKEN`, from anywhere, loopback
 * included (issue #16: a same-host reverse proxy made every outside caller look like loopback).
 * Without METRICS_TOKEN set, metrics are not served.
 */
@ApiTags('service')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: ConfigService<Env, true>,
  ) {}

  @Get()
  @Public()
  @AvailableWhenSealed()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics; needs Authorization: Bearer $METRICS_TOKEN (not a session token); 404 when METRICS_ENABLED is off' })
  @ApiBearerAuth('metrics')
  @ApiOkResponse({ description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } })
  async scrape(@Req() req: StaffRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<string> {
    if (!this.config.get('METRICS_ENABLED', { infer: true })) throw new NotFoundException({ code: 'metrics.off', message: 'Metrics are switched off' });
    const token = this.config.get('METRICS_TOKEN', { infer: true });
    if (!token)
      throw new ForbiddenException({ code: 'metrics.token-required', message: 'Set METRICS_TOKEN and send it as a bearer token to read the metrics' });
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const tokenOk = !!given && given.length === token.length && timingSafeEqual(Buffer.from(given), Buffer.from(token));
    if (!tokenOk)
      throw new ForbiddenException({ code: 'metrics.token-wrong', message: 'Metrics need the metrics token (Authorization: Bearer $METRICS_TOKEN)' });
    res.header('Content-Type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
