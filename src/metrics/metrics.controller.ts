import { AvailableWhenSealed } from '@/custody/sealed.guard';
import { Controller, ForbiddenException, Get, Header, NotFoundException, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ConfigService } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import { timingSafeEqual } from 'node:crypto';
import { Public, StaffRequest } from '@/common/auth/auth.decorators';
import { Env } from '@/config/env.schema';
import { MetricsService } from './metrics.service';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * GET /metrics: network-restricted. Answers scrapers on the loopback address, or anywhere
 * with `Authorization: Bearer $METRICS_TOKEN` when that setting is given.
 */
@ApiExcludeController()
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
  async scrape(@Req() req: StaffRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<string> {
    if (!this.config.get('METRICS_ENABLED', { infer: true })) throw new NotFoundException('Metrics are switched off');
    const token = this.config.get('METRICS_TOKEN', { infer: true });
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const tokenOk = !!token && !!given && given.length === token.length && timingSafeEqual(Buffer.from(given), Buffer.from(token));
    if (!tokenOk && !LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      throw new ForbiddenException('Metrics are served on the loopback address or with the metrics token only');
    }
    res.header('Content-Type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
