import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Env } from './env.schema';
import { LegalDataService } from './legal-data.service';
import { ClockService } from './clock.service';

/** Injection token of the validated settings object itself (`@Inject(SETTINGS) settings: Env`). */
export const SETTINGS = Symbol('SETTINGS');

/**
 * The settings as a ConfigService<Env, true> that reads only the given object: process.env is never
 * consulted, so an unset optional setting stays unset even when the environment holds it.
 */
export function settingsService(settings: Env): ConfigService<Env, true> {
  const config = new ConfigService<Env, true>({ ...settings });
  // ConfigService's own switch (private in its typings; ConfigModule.forRoot sets it the same way).
  (config as unknown as { skipProcessEnv: boolean }).skipProcessEnv = true;
  return config;
}

/**
 * Validated settings (ConfigService<Env, true> and SETTINGS), legal data and the clock, available
 * everywhere. The settings are handed in (`AppConfigModule.forRoot(settings)`), never read from the
 * environment when a module is imported: main.ts and cli.ts validate the environment once and pass
 * the result; tests pass their own settings objects.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(settings: Env): DynamicModule {
    return {
      module: AppConfigModule,
      global: true,
      providers: [{ provide: SETTINGS, useValue: settings }, { provide: ConfigService, useValue: settingsService(settings) }, LegalDataService, ClockService],
      exports: [SETTINGS, ConfigService, LegalDataService, ClockService],
    };
  }
}
