import { Logger } from '@nestjs/common';
import { Client, ClientConfig } from 'pg';

const logger = new Logger('Database');

/**
 * Logs a connection-level PostgreSQL error (a terminated backend: 57P01, a reset socket) instead
 * of crashing. Only its code and class: a server message is never quoted (it could hold data).
 */
export function logConnectionError(error: Error & { code?: string }): void {
  logger.warn(`PostgreSQL connection error ${error?.code ?? error?.name ?? 'unknown'}: the connection is dropped and replaced`);
}

/**
 * Issue #16, finding 7: every pg client gets an `error` handler in its constructor, before any
 * pool hands it out. pg-pool listens only while a client is idle and TypeORM only while it holds
 * one, so an error between the two (or the second error of a dying connection, "Connection
 * terminated unexpectedly" after 57P01) had no listener and Node exited. The pool drops a broken
 * client by itself (the failed query rejects; release(err) removes it).
 */
export class GuardedClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    this.on('error', logConnectionError);
  }
}
