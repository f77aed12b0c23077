import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Env } from '@/config/env.schema';
import { queueOptions } from '@/retention/queue/queue.constants';
import { RetentionModule } from '@/retention/retention.module';
import { BREACH_DEADLINES_QUEUE, BreachQueueService } from './breach-queue.service';
import { BreachesController } from './breaches.controller';
import { BreachesRepository } from './breaches.repository';
import { BreachesService } from './breaches.service';

/** 漏えい等報告 (issue #19): the breach register, its deadlines and their alarms (Bull queue of its own). */
@Module({
  imports: [
    BullModule.registerQueueAsync({
      name: BREACH_DEADLINES_QUEUE,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => queueOptions(config.get('REDIS_URL', { infer: true }), config.get('REDIS_PREFIX', { infer: true })),
    }),
    RetentionModule,
  ],
  controllers: [BreachesController],
  providers: [BreachesRepository, BreachesService, BreachQueueService],
  exports: [BreachesService],
})
export class BreachesModule {}
