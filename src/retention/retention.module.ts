import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApprovalsModule } from '@/approvals/approvals.module';
import { Env } from '@/config/env.schema';
import { NumbersModule } from '@/numbers/numbers.module';
import { SubjectsModule } from '@/subjects/subjects.module';
import { AlarmNotifierService } from './alarm-notifier.service';
import { AlarmsService } from './alarms.service';
import { DisposalService } from './disposal.service';
import { DisposalAlarm } from './entities/disposal-alarm.entity';
import { DisposalRecord } from './entities/disposal-record.entity';
import { Filing } from './entities/filing.entity';
import { RetentionSchedule } from './entities/retention-schedule.entity';
import { FilingsController } from './filings.controller';
import { FilingsService } from './filings.service';
import { DisposalAlarmsProcessor } from './queue/disposal-alarms.processor';
import { DisposalQueueService } from './queue/disposal-queue.service';
import { DISPOSAL_ALARMS_QUEUE, queueOptions } from './queue/queue.constants';
import { RetentionController } from './retention.controller';
import { ScheduleService } from './schedule.service';
import { SweepSchedulerService } from './sweep-scheduler.service';
import { RetentionRepository } from './retention.repository';
import { EarlyDisposalService } from './early-disposal.service';
import { OpenMattersService } from './open-matters.service';
import { PostLeavingController } from './post-leaving.controller';

/** Filings, due dates, the disposal-alarm queue, the alarms inbox and disposal. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Filing, RetentionSchedule, DisposalAlarm, DisposalRecord]),
    BullModule.registerQueueAsync({
      name: DISPOSAL_ALARMS_QUEUE,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => queueOptions(config.get('REDIS_URL', { infer: true }), config.get('REDIS_PREFIX', { infer: true })),
    }),
    SubjectsModule,
    NumbersModule,
    ApprovalsModule,
  ],
  controllers: [FilingsController, RetentionController, PostLeavingController],
  providers: [
    FilingsService,
    ScheduleService,
    AlarmsService,
    DisposalService,
    AlarmNotifierService,
    DisposalAlarmsProcessor,
    DisposalQueueService,
    SweepSchedulerService,
    RetentionRepository,
    EarlyDisposalService,
    OpenMattersService,
  ],
  exports: [ScheduleService, AlarmsService, DisposalService, DisposalQueueService, EarlyDisposalService, OpenMattersService, AlarmNotifierService],
})
export class RetentionModule {}
