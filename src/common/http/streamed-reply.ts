import type { FastifyReply } from 'fastify';
import { PassThrough } from 'node:stream';

/** A response body written piece by piece (bulk retrieval, audit export). */
export interface StreamedReply {
  /** Writes a chunk, waiting while the client is slow; false once the client has gone. */
  write(chunk: string): Promise<boolean>;
  end(): void;
}

/**
 * Starts a 200 answer with these headers and a body that follows. Fastify pipes the body to the
 * socket (so its hooks, helmet's headers included, still apply) and destroys it when the client
 * goes away, which is how a writer learns to stop reading the database.
 */
export function streamReply(reply: FastifyReply, headers: Record<string, string>): StreamedReply {
  const body = new PassThrough();
  void reply.status(200).headers(headers).send(body);
  return {
    write(chunk: string): Promise<boolean> {
      if (body.destroyed || body.writableEnded) return Promise.resolve(false);
      if (body.write(chunk)) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = (ok: boolean) => {
          body.off('drain', onDrain);
          body.off('close', onClose);
          resolve(ok);
        };
        const onDrain = () => done(true);
        const onClose = () => done(false);
        body.on('drain', onDrain);
        body.on('close', onClose);
      });
    },
    end(): void {
      if (!body.destroyed) body.end();
    },
  };
}
