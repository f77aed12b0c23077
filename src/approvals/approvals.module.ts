import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '@/users/users.module';
import { ApprovalPolicy } from './approval-policy.entity';
import { ApprovalRequest } from './approval-request.entity';
import { ApprovalsController } from './approvals.controller';
import { ApprovalsRepository } from './approvals.repository';
import { ApprovalsService } from './approvals.service';

/** 事務取扱責任者 (issue #19): four-eyes policy and approvals; modules register what an approval carries out. */
@Module({
  imports: [TypeOrmModule.forFeature([ApprovalPolicy, ApprovalRequest]), UsersModule],
  controllers: [ApprovalsController],
  providers: [ApprovalsRepository, ApprovalsService],
  exports: [ApprovalsService],
})
export class ApprovalsModule {}
