import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Env } from '@/config/env.schema';
import { FirmsModule } from '@/firms/firms.module';
import { NetworkModule } from '@/network/network.module';
import { UsersModule } from '@/users/users.module';
import { AuthController } from './auth.controller';
import { AuthRepository } from './auth.repository';
import { AuthGuard } from './auth.guard';
import { AuthChallenge } from './challenge.entity';
import { ChallengeService } from './challenge.service';
import { LoginThrottlerGuard } from './login-throttler.guard';
import { LoginService } from './login.service';
import { MeController } from './me.controller';
import { AuthSession } from './session.entity';
import { SessionCache } from './session-cache';
import { SessionService } from './session.service';
import { TotpService } from './totp.service';

/** Login (password, TOTP, recovery codes), sessions, step-up, and the one global guard. */
@Module({
  imports: [
    UsersModule,
    FirmsModule,
    NetworkModule,
    TypeOrmModule.forFeature([AuthSession, AuthChallenge]),
    // In-memory counters per instance; only the login routes use LoginThrottlerGuard.
    ThrottlerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => ({
        throttlers: [{ name: 'default', ttl: 60_000, limit: config.get('LOGIN_RATE_LIMIT_PER_MINUTE', { infer: true }) }],
      }),
    }),
  ],
  controllers: [AuthController, MeController],
  providers: [
    AuthRepository,
    SessionService,
    SessionCache,
    ChallengeService,
    TotpService,
    LoginService,
    LoginThrottlerGuard,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [SessionService, TotpService],
})
export class AuthModule {}
