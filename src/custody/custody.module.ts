import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { UsersModule } from '@/users/users.module';
import { CustodyController } from './custody.controller';
import { CustodyRepository } from './custody.repository';
import { CustodyService } from './custody.service';
import { SealedGuard } from './sealed.guard';

@Module({
  imports: [UsersModule],
  controllers: [CustodyController],
  providers: [CustodyRepository, CustodyService, { provide: APP_GUARD, useClass: SealedGuard }],
})
export class CustodyModule {}
