import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { KeysModule } from './keys/keys.module';
import { CustodyModule } from './custody/custody.module';
import { AppConfigModule } from './config/app-config.module';
import { Env } from './config/env.schema';
import { dataSourceOptions } from './database/data-source-options';
import { AllExceptionsFilter } from './common/http/all-exceptions.filter';
import { redactDeep } from './common/logging/redact';
import { CryptoModule } from './crypto/crypto.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { UsersModule } from './users/users.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { SubjectsModule } from './subjects/subjects.module';
import { NumbersModule } from './numbers/numbers.module';
import { RetentionModule } from './retention/retention.module';
import { ConsoleModule } from './console/console.module';
import { ApprovalsModule } from './approvals/approvals.module';
import { CollectionModule } from './collection/collection.module';
import { BreachesModule } from './breaches/breaches.module';
import { InventoryModule } from './inventory/inventory.module';
import { ReportsModule } from './reports/reports.module';

@Module({
  imports: [
    AppConfigModule,
    EventEmitterModule.forRoot(),
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => ({
        // No per-request middleware: requests are logged from a Fastify hook (common/logging/request-log.ts).
        forRoutes: [],
        pinoHttp: {
          level: config.get('LOG_LEVEL', { infer: true }),
          // Every string is scrubbed of number-like digits; request bodies are never logged.
          formatters: { log: (object) => redactDeep(object) as Record<string, unknown> },
        },
      }),
    }),
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) =>
        dataSourceOptions(
          {
            DATABASE_URL: config.get('DATABASE_URL', { infer: true }),
            DATABASE_APP_ROLE: config.get('DATABASE_APP_ROLE', { infer: true }),
            DATABASE_MIGRATION_URL: config.get('DATABASE_MIGRATION_URL', { infer: true }),
            NODE_ENV: config.get('NODE_ENV', { infer: true }),
            DATABASE_POOL_SIZE: config.get('DATABASE_POOL_SIZE', { infer: true }),
          },
          'app',
        ),
    }),
    CryptoModule,
    AuditModule,
    AuthModule,
    UsersModule,
    HealthModule,
    MetricsModule,
    SubjectsModule,
    NumbersModule,
    RetentionModule,
    ApprovalsModule,
    ConsoleModule,
    CollectionModule,
    KeysModule,
    CustodyModule,
    BreachesModule,
    InventoryModule,
    ReportsModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
})
export class AppModule {}
