import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { validateEnv } from './env.schema';
import { LegalDataService } from './legal-data.service';
import { ClockService } from './clock.service';

/** Validated settings (ConfigService<Env, true>), legal data and the clock, available everywhere. */
@Global()
@Module({
  imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, cache: true, validate: validateEnv })],
  providers: [LegalDataService, ClockService],
  exports: [LegalDataService, ClockService],
})
export class AppConfigModule {}
