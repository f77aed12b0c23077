import multipart from '@fastify/multipart';
import { Logger, Module, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Env } from '@/config/env.schema';
import { LegalDataService } from '@/config/legal-data.service';
import { CONSOLE_CSP, consolePublicDir } from '@/console/console-assets';
import { NumbersModule } from '@/numbers/numbers.module';
import { SubjectsModule } from '@/subjects/subjects.module';
import { CollectController } from './collect.controller';
import { CollectionController } from './collection.controller';
import { CollectionMailerService } from './collection-mailer.service';
import { loadCollectionNotice } from './collection-notice';
import { CollectionRateLimitService } from './collection-rate-limit.service';
import { CollectionRepository } from './collection.repository';
import { CollectionRequestsService } from './collection-requests.service';
import { CollectionReviewService } from './collection-review.service';
import { COLLECTION_NOTICE, CollectionSubmitService } from './collection-submit.service';

/**
 * Collection links (issue #15): employees hand in their own numbers, their dependents' and photos
 * of their identity documents from a phone; clerks review. Talks to subjects, numbers, audit and
 * crypto only through their exported services.
 */
@Module({
  imports: [SubjectsModule, NumbersModule],
  controllers: [CollectionController, CollectController],
  providers: [
    {
      provide: COLLECTION_NOTICE,
      inject: [ConfigService, LegalDataService],
      useFactory: (config: ConfigService<Env, true>, legal: LegalDataService) =>
        loadCollectionNotice(config.get('LEGAL_CONFIG_DIR', { infer: true }), (code, kind) => !!legal.purpose(code)?.kinds.includes(kind)),
    },
    CollectionRepository,
    CollectionRequestsService,
    CollectionSubmitService,
    CollectionReviewService,
    CollectionRateLimitService,
    CollectionMailerService,
  ],
})
export class CollectionModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const server = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!server || typeof server.register !== 'function') return;
    // multipart/form-data for the submission (photos); limits are set per request in CollectController.
    void server.register(multipart, { throwFileSizeLimit: true });
    const dir = consolePublicDir();
    if (!dir) {
      new Logger('CollectionModule').warn('Submitter page not found (src/console/public/collect.html)');
      return;
    }
    // The submitter's page: the console's strict CSP, never cached, never framed, no referrer (the link's token is in the fragment).
    const page = readFileSync(join(dir, 'collect.html'));
    server.get('/collect', (_req, reply) => {
      void reply
        .headers({ 'Content-Security-Policy': CONSOLE_CSP, 'X-Frame-Options': 'DENY', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' })
        .type('text/html; charset=utf-8')
        .send(page);
    });
  }
}
