import { NumberHistoryRepository } from './number-history.repository';
import { NumbersRepository } from './numbers.repository';
import { Module } from '@nestjs/common';
import { FirmsModule } from '@/firms/firms.module';
import { SubjectsModule } from '@/subjects/subjects.module';
import { BulkRevealService } from './bulk-reveal.service';
import { NumbersController } from './numbers.controller';
import { SubjectViewsController } from './subject-views.controller';
import { NumbersService } from './numbers.service';
import { RevealPolicyService } from './reveal-policy.service';
import { RevealService } from './reveal.service';

@Module({
  imports: [SubjectsModule, FirmsModule],
  controllers: [NumbersController, SubjectViewsController],
  providers: [NumbersService, RevealService, BulkRevealService, RevealPolicyService, NumberHistoryRepository, NumbersRepository],
  exports: [NumbersService, RevealPolicyService],
})
export class NumbersModule {}
