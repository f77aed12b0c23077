import { Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { KeyringService } from './keyring.service';

/** HMAC-SHA256 of a normalised value under its own key: finds equal values, reveals nothing else. */
@Injectable()
export class BlindIndexService {
  constructor(private readonly keyring: KeyringService) {}

  of(normalised: string): Buffer {
    return createHmac('sha256', this.keyring.blindIndexKey).update(normalised, 'utf8').digest();
  }
}
