import { Module } from '@nestjs/common';
import { ApprovalsModule } from '@/approvals/approvals.module';
import { AuditModule } from '@/audit/audit.module';
import { CollectionKeysModule } from '@/collection/collection-keys.service';
import { NumbersModule } from '@/numbers/numbers.module';
import { UsersModule } from '@/users/users.module';
import { KeyDestroySchedulerService } from './key-destroy-scheduler.service';
import { KeyRetirementRepository } from './key-retirement.repository';
import { KeyRetirementService } from './key-retirement.service';
import { KeysController } from './keys.controller';

/** Key management beyond the keyring itself: KEK retirement (and, with custody, sealing). */
@Module({
  imports: [AuditModule, NumbersModule, UsersModule, CollectionKeysModule, ApprovalsModule],
  controllers: [KeysController],
  providers: [KeyRetirementRepository, KeyRetirementService, KeyDestroySchedulerService],
  exports: [KeyRetirementService],
})
export class KeysModule {}

/** The same services for the command line, without the timer. */
@Module({
  imports: [AuditModule, NumbersModule, UsersModule, CollectionKeysModule, ApprovalsModule],
  providers: [KeyRetirementRepository, KeyRetirementService],
  exports: [KeyRetirementService],
})
export class KeysCliModule {}
