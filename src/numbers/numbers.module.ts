import { NumberHistoryRepository } from './number-history.repository';
import { Module, forwardRef } from '@nestjs/common';
import { FirmsModule } from '@/firms/firms.module';
import { SubjectsModule } from '@/subjects/subjects.module';
import { BulkRevealService } from './bulk-reveal.service';
import { NumbersController } from './numbers.controller';
import { NumbersService } from './numbers.service';
import { RevealPolicyService } from './reveal-policy.service';
import { RevealService } from './reveal.service';

@Module({
  imports: [forwardRef(() => SubjectsModule), FirmsModule],
  controllers: [NumbersController],
  providers: [NumbersService, RevealService, BulkRevealService, RevealPolicyService, NumberHistoryRepository],
  exports: [NumbersService, RevealPolicyService],
})
export class NumbersModule {}
