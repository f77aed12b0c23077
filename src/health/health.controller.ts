import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthAnswerDto } from './dto/health.responses';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '@/common/auth/auth.decorators';
import { KeyringService } from '@/crypto/keyring.service';
import { AvailableWhenSealed } from '@/custody/sealed.guard';
import { RuntimeModeService } from '@/trial/runtime-mode.service';
import { RedisHealthIndicator } from './redis.health';

/**
 * GET /health: 200 "ok" when PostgreSQL and Redis answer; 200 "degraded" when only Redis is
 * down (reveals and logins still work, alarms wait for the sweep); 503 when the database is down,
 * and 503 "sealed" while a custody-mode vault waits for its key holders' shares (issue #18).
 */
@ApiTags('service')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly runtime: RuntimeModeService,
    private readonly keyring: KeyringService,
  ) {}

  @Get()
  @Public()
  @AvailableWhenSealed()
  @ApiOkResponse({ type: HealthAnswerDto, description: 'ok or degraded' })
  @ApiServiceUnavailableResponse({ type: HealthAnswerDto, description: 'database down (error) or sealed' })
  async check(@Res({ passthrough: true }) res: FastifyReply) {
    const [database, redis] = await Promise.all([
      this.db.pingCheck('database', { timeout: 1500 }).catch(() => ({ database: { status: 'down' as const } })),
      this.redis.check('redis'),
    ]);
    const details = { ...database, ...redis };
    const dbUp = database.database.status === 'up';
    const redisUp = redis.redis!.status === 'up';
    // sealed (custody mode, before k key holders entered their shares): nothing that needs a key works
    const sealed = this.keyring.sealed;
    const status = sealed ? 'sealed' : dbUp ? (redisUp ? 'ok' : 'degraded') : 'error';
    if (!dbUp || sealed) res.status(503);
    // mode: "trial" (embedded PostgreSQL; with where the data and keys are) or "standard";
    // queue: "on" (Bull on Redis) or "off" (the in-process sweep raises due alarms).
    return { status, ...this.runtime.describe(), queue: this.runtime.queue(), details };
  }
}
