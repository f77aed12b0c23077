import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { useBodyParsing } from './common/http/body-parsing';
import { createValidationPipe } from './common/http/validation.pipe';

/** Builds the HTTP application exactly as production runs it; tests use the same function. */
export async function createApp(): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bodyParser: false, bufferLogs: true });
  // Express would send an ETag (a hash of the body) with every response: for a reveal that is a
  // hash of the number itself, and 12 digits are quickly brute-forced. Nothing here is cacheable.
  app.set('etag', false);
  app.useLogger(app.get(Logger));
  app.use(helmet());
  useBodyParsing(app);
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  const openApi = new DocumentBuilder()
    .setTitle('mynumber-vault')
    .setDescription('Vault for My Number (個人番号) records: purpose-bound, audited, encrypted at rest')
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi), { jsonDocumentUrl: 'docs-json' });
  return app;
}
