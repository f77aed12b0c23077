import { DynamicModule, Module, Type } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@/audit/audit.module';
import { AuditVerifyCommand } from '@/audit/audit-verify.command';
import { AuditProofCommand } from '@/audit/audit-proof.command';
import { AppConfigModule } from '@/config/app-config.module';
import { Env } from '@/config/env.schema';
import { CryptoModule } from '@/crypto/crypto.module';
import { dataSourceOptions } from '@/database/data-source-options';
import { UsersModule } from '@/users/users.module';
import { AdminCreateCommand } from './admin-create.command';
import { MigrateCommand } from './migrate.command';
import { KeysRotateCommand } from './keys-rotate.command';
import { KeysInitCommand } from './keys-init.command';
import { KeysRetireCommand } from './keys-retire.command';
import { KeysCliModule } from '@/keys/keys.module';
import { CollectionKeysModule } from '@/collection/collection-keys.service';
import { NumbersModule } from '@/numbers/numbers.module';
import { MetricsModule } from '@/metrics/metrics.module';

/**
 * Commands, one file each. To add one: write `<name>.command.ts` (a nest-commander
 * @Command class), then list it below: in DATABASE_COMMANDS when it uses the database
 * (cli.ts migrates first and CliModule connects), or in OFFLINE_COMMANDS when it must work
 * without one (offline verification). Import the modules its services come from in CliModule.
 */
export const DATABASE_COMMANDS: Type[] = [AdminCreateCommand, KeysRotateCommand, KeysRetireCommand];
export const OFFLINE_COMMANDS: Type[] = [MigrateCommand, AuditVerifyCommand, AuditProofCommand, KeysInitCommand];

/** nest-commander's metadata key for @Command (its constants.CommandMeta, not exported; cli.module.spec pins it). */
const COMMAND_META = 'CommandBuilder:Command:Meta';

/** The name a command class declares in its @Command decorator. */
export function commandName(command: Type): string {
  return (Reflect.getMetadata(COMMAND_META, command) as { name: string }).name;
}

export function commandDescription(command: Type): string {
  const meta = Reflect.getMetadata(COMMAND_META, command) as { name: string; arguments?: string; description?: string };
  return `${meta.name}${meta.arguments ? ' ' + meta.arguments : ''}\n      ${meta.description ?? ''}`;
}

/** Commands that need no database: no connection is opened. */
@Module({})
export class OfflineCliModule {
  static forRoot(settings: Env): DynamicModule {
    return { module: OfflineCliModule, imports: [AppConfigModule.forRoot(settings)], providers: [...OFFLINE_COMMANDS] };
  }
}

/** The application's services without HTTP, for commands that use the database. */
@Module({})
export class CliModule {
  static forRoot(settings: Env): DynamicModule {
    return {
      module: CliModule,
      imports: [
        AppConfigModule.forRoot(settings),
        EventEmitterModule.forRoot(),
        TypeOrmModule.forRoot(dataSourceOptions({ ...settings, DATABASE_POOL_SIZE: 2 }, 'app')),
        CryptoModule,
        AuditModule,
        UsersModule,
        MetricsModule,
        NumbersModule,
        KeysCliModule,
        CollectionKeysModule,
      ],
      providers: [...DATABASE_COMMANDS, ...OFFLINE_COMMANDS],
    };
  }
}
