import { DynamicModule, Module } from '@nestjs/common';
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

/**
 * The whole application, built from a settings object (`validateEnv(process.env)` in main.ts, an
 * explicit object in tests): no module reads the environment when it is imported.
 */
@Module({})
export class AppModule {
  static forRoot(settings: Env): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(settings),
        EventEmitterModule.forRoot(),
        LoggerModule.forRoot({
          // No per-request middleware: requests are logged from a Fastify hook (common/logging/request-log.ts).
          forRoutes: [],
          pinoHttp: {
            level: settings.LOG_LEVEL,
            // Every string is scrubbed of number-like digits; request bodies are never logged.
            formatters: { log: (object) => redactDeep(object) as Record<string, unknown> },
          },
        }),
        TypeOrmModule.forRoot(dataSourceOptions(settings, 'app')),
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
    };
  }
}
