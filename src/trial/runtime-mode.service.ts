import { Injectable, Optional } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ModuleRef } from '@nestjs/core';
import { resolve } from 'node:path';
import { Env } from '@/config/env.schema';
import { KeyringService } from '@/crypto/keyring.service';
import { DisposalQueueService } from '@/retention/queue/disposal-queue.service';

export type RuntimeModeName = 'trial' | 'standard';

/** What start-up decided about the database (set by bootstrap before the application is built). */
export interface RuntimeDatabase {
  mode: RuntimeModeName;
  /** Why (for the start-up log): "DATABASE_URL is set", "nothing answers at 127.0.0.1:5432", ... */
  reason: string;
  /** Trial mode: the embedded cluster's folder, its log, and the server version. */
  embedded?: { clusterDir: string; logFile: string; serverVersion: string; port: number };
}

let decided: RuntimeDatabase = { mode: 'standard', reason: 'not decided at start-up (tests, CLI)' };

/** Called once by bootstrap (src/main.ts) or the demo, before the application is created. */
export function setRuntimeDatabase(database: RuntimeDatabase): void {
  decided = database;
}

export function runtimeDatabase(): RuntimeDatabase {
  return decided;
}

/**
 * How this process runs: `trial` (embedded PostgreSQL in DATA_DIR, started because no database was
 * configured or found) or `standard`, where the data folder and the keys are, and whether the
 * disposal-alarm queue (Bull on Redis) is on. /health shows it.
 */
@Injectable()
export class RuntimeModeService {
  readonly mode: RuntimeModeName;
  readonly dataDir: string;
  readonly keystore: string;

  constructor(
    config: ConfigService<Env, true>,
    keyring: KeyringService,
    @Optional() private readonly moduleRef?: ModuleRef,
  ) {
    this.mode = decided.mode;
    this.dataDir = resolve(config.get('DATA_DIR', { infer: true }));
    this.keystore = keyring.location;
  }

  /**
   * The disposal-alarm queue: `on` while Bull's Redis connection is up, `off` while it is not
   * (the retention module's in-process sweep timer raises alarms then), `absent` without the module.
   */
  queue(): 'on' | 'off' | 'absent' {
    let queue: DisposalQueueService | undefined;
    try {
      queue = this.moduleRef?.get(DisposalQueueService, { strict: false });
    } catch {
      queue = undefined;
    }
    if (!queue) return 'absent';
    return queue.isAvailable() ? 'on' : 'off';
  }

  /** For /health: paths only in trial mode (a trial runs on one laptop; production shows no paths). */
  describe(): { mode: 'standard' } | { mode: 'trial'; dataDir: string; keystore: string; database: { embedded: true; dir: string; version: string } } {
    if (this.mode !== 'trial' || !decided.embedded) return { mode: 'standard' };
    return {
      mode: 'trial',
      dataDir: this.dataDir,
      keystore: this.keystore,
      database: { embedded: true, dir: decided.embedded.clusterDir, version: decided.embedded.serverVersion },
    };
  }
}
