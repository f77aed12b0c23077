import { INestApplication } from '@nestjs/common';
import net from 'node:net';
import { AddressInfo } from 'node:net';
import { createTestApp, SettingsOverrides } from './support/app';

/** This spec's own settings, on top of the run's (the app is built from them). */
const SETTINGS: SettingsOverrides = {
  HTTP_REQUEST_TIMEOUT_MS: '2000',
  HTTP_HEADERS_TIMEOUT_MS: '1500',
  HTTP_MAX_CONNECTIONS_PER_ADDRESS: '5',
};

/**
 * Issue #16, finding 6: slow clients held connections for ever (headers without a body 400 s;
 * a body at 1 byte per 5 s, 130 s). Here with HTTP_REQUEST_TIMEOUT_MS = 2 s, headers 1.5 s and
 * at most 5 connections per address.
 */
describe('slow clients and connection caps (issue #16, finding 6)', () => {
  let app: INestApplication;
  let port: number;

  beforeAll(async () => {
    app = await createTestApp(SETTINGS);
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });

  afterAll(async () => {
    await app?.close();
  });

  /** Opens a raw connection from a local address; answers when and how it ended. */
  function slowClient(from: string, feed: (socket: net.Socket) => void): Promise<{ ms: number; received: string }> {
    return new Promise((resolve) => {
      const started = Date.now();
      let received = '';
      const socket = net.connect({ host: '127.0.0.1', port, localAddress: from }, () => feed(socket));
      socket.on('data', (d) => (received += d.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve({ ms: Date.now() - started, received }));
    });
  }

  it('closes a connection whose headers came but whose body never does', async () => {
    const r = await slowClient('127.0.0.2', (s) =>
      s.write(`POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`),
    );
    expect(r.ms).toBeLessThan(5000);
    expect(r.received === '' || r.received.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('closes a connection that sends its body one byte at a time', async () => {
    let timer: NodeJS.Timeout | undefined;
    const r = await slowClient('127.0.0.3', (s) => {
      s.write(`POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`);
      timer = setInterval(() => s.writable && s.write('{'), 300);
    });
    clearInterval(timer);
    expect(r.ms).toBeLessThan(5000);
  });

  it('closes a connection whose headers never end', async () => {
    let timer: NodeJS.Timeout | undefined;
    const r = await slowClient('127.0.0.4', (s) => {
      s.write(`GET /health HTTP/1.1\r\nHost: x\r\n`);
      timer = setInterval(() => s.writable && s.write('X-Slow: 1\r\n'), 300);
    });
    clearInterval(timer);
    expect(r.ms).toBeLessThan(5000);
  });

  it('refuses a sixth connection from one address, not from another', async () => {
    const sockets: net.Socket[] = [];
    const open = (from: string) =>
      new Promise<net.Socket>((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port, localAddress: from }, () => resolve(s));
        s.on('error', () => undefined);
        sockets.push(s);
      });
    for (let i = 0; i < 5; i++) await open('127.0.0.5');
    const sixth = await open('127.0.0.5');
    const closed = await new Promise<boolean>((resolve) => {
      sixth.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 1000);
    });
    expect(closed).toBe(true);
    const other = await open('127.0.0.6');
    other.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      other.on('data', (d) => (text += d));
      other.on('close', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1.1 (200|503)/);
    for (const s of sockets) s.destroy();
  });
});
