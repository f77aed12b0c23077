import Fastify, { FastifyInstance } from 'fastify';
import { streamReply } from './streamed-reply';

describe('streamReply', () => {
  let fastify: FastifyInstance;

  beforeAll(async () => {
    fastify = Fastify();
    // a hook's header (as helmet sets them) must survive on a streamed answer
    fastify.addHook('onRequest', async (_req, reply) => {
      reply.header('X-Content-Type-Options', 'nosniff');
    });
    fastify.get('/rows', async (_req, reply) => {
      const body = streamReply(reply, { 'Content-Type': 'text/csv; charset=utf-8', 'Cache-Control': 'no-store' });
      const written: boolean[] = [];
      // more than the stream's buffer, so some writes wait for the client to drain it
      for (let i = 0; i < 2000; i++) written.push(await body.write(`row-${i},${'x'.repeat(40)}\r\n`));
      body.end();
      if (written.some((ok) => !ok)) throw new Error('a write failed while the client was reading');
      return reply;
    });
    await fastify.ready();
  });

  afterAll(() => fastify.close());

  it("sends every chunk in order with its headers and the hooks' headers", async () => {
    const res = await fastify.inject({ method: 'GET', url: '/rows' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const lines = res.body.split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(2000);
    expect(lines[0]).toMatch(/^row-0,/);
    expect(lines[1999]).toMatch(/^row-1999,/);
  });
});
