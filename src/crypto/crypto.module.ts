import { Global, Module } from '@nestjs/common';
import { KeyringService } from './keyring.service';
import { EnvelopeService } from './envelope.service';
import { BlindIndexService } from './blind-index.service';

@Global()
@Module({
  providers: [KeyringService, EnvelopeService, BlindIndexService],
  exports: [KeyringService, EnvelopeService, BlindIndexService],
})
export class CryptoModule {}
