/**
 * The service under benchmark as production runs it: a compiled entry point in its own process, so
 * load generation does not share its event loop (`npm run bench` and `npm run bench:compare`).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { AddressInfo, createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

/** Starts `entry` on `port` and waits for /health: up to 2 minutes (at high load a start alone has taken over 50 s). */
export async function startServiceProcess(entry: string, port: number, nodeFlags: string[], env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeFlags, entry], { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 480; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return child;
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('service did not start');
}

export async function stopServiceProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
