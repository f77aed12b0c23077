import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit.service';
import { AuditSealerService } from './audit-sealer.service';
import { AuditVerifyService } from './audit-verify.service';
import { AuditSearchService } from './audit-search.service';
import { AuditReviewService } from './audit-review.service';
import { AuditAlertsService } from './audit-alerts.service';
import { AuditController } from './audit.controller';
import { AuditProofsService } from './audit-proofs.service';
import { AuditWitnessService } from './audit-witness.service';
import { AuditTreeStatusService } from './audit-tree-status.service';
import { SubjectsModule } from '@/subjects/subjects.module';
import { UsersModule } from '@/users/users.module';

/** Global: every module records through AuditService. The sealer starts with the app (AUDIT_SEALER_ENABLED). */
@Global()
@Module({
  // the auditors' search names people and staff (issue #22) through their modules' services
  imports: [SubjectsModule, UsersModule],
  controllers: [AuditController],
  providers: [
    AuditService,
    AuditSealerService,
    AuditVerifyService,
    AuditSearchService,
    AuditReviewService,
    AuditAlertsService,
    AuditProofsService,
    AuditWitnessService,
    AuditTreeStatusService,
  ],
  exports: [AuditService, AuditSealerService, AuditVerifyService, AuditWitnessService, AuditAlertsService],
})
export class AuditModule {}
