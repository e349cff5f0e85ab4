import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runQianbao, spawnQianbao } from './testing.ts';

/** A port nobody listens on right now (the embedded PostgreSQL needs a fixed one). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('qianbao start on the embedded PostgreSQL', () => {
  // Under the repository, as a user's would be; as root under /root it is kept elsewhere (ADR 0011).
  const dataDir = path.join(REPO_ROOT, 'data', `cli-test-${randomBytes(4).toString('hex')}`);
  afterAll(() => {
    // As root under a closed directory (/root) the data lives elsewhere, linked from here (ADR 0011).
    const pgDir = path.join(dataDir, 'pg');
    const real = existsSync(pgDir) ? realpathSync(pgDir) : pgDir;
    if (real !== pgDir) rmSync(path.dirname(real), { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts with one command and the demo shop beside it, lets verify use the running server, and stops cleanly on SIGTERM', async () => {
    const shopPort = await freePort();
    const env = {
      QIANBAO_DATA_DIR: dataDir,
      QIANBAO_EMBEDDED_PG_PORT: String(await freePort()),
      PORT: String(await freePort()),
      QIANBAO_DEMO_SHOP_PORT: String(shopPort),
    };
    const server = spawnQianbao(['start'], env);
    const exited = new Promise<number | null>((resolve) => server.on('close', resolve));
    let stdout = '';
    const ready = new Promise<string>((resolve, reject) => {
      server.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        // Ready once the URL and, a few lines later, the generated admin token are both out.
        const match = /Qianbao is running at (http:\/\/\S+)[^]*?\nAdmin token for .*\n {2}\S{32,}\n/.exec(
          stdout,
        );
        if (match) resolve(match[1]!);
      });
      void exited.then((code) => reject(new Error(`start exited with ${code}: ${stdout}`)));
    });
    const shopReady = new Promise<string>((resolve, reject) => {
      server.stdout.on('data', () => {
        const match = /\nDemo shop \(test mode: pay with the test payer\): (http:\/\/\S+)\n/.exec(stdout);
        if (match) resolve(match[1]!);
        if (stdout.includes('Demo shop not started')) reject(new Error(stdout));
      });
      void exited.then((code) => reject(new Error(`start exited with ${code}: ${stdout}`)));
    });
    shopReady.catch(() => undefined); // awaited below, unless the start fails first
    try {
      // Inside the try: a start that never gets ready must still be stopped.
      const url = await ready;
      expect(stdout).toContain(`Starting the embedded PostgreSQL in ${path.join(dataDir, 'pg')}`);
      expect(stdout).toContain('Applied migrations: 0001_ledger_init');
      expect((await fetch(`${url}/readyz`)).status).toBe(200);

      const verify = await runQianbao(['verify'], env);
      expect(verify.stderr).toContain('Using the embedded PostgreSQL already running');
      expect(verify.code).toBe(0);
      expect(verify.stdout).toContain('Ledger verification: OK');

      const second = await runQianbao(['start'], { ...env, PORT: '0' });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`Qianbao (pid ${server.pid}) is already running`);

      // The demo shop, printed with its owner's sign-in, sells through the real job queue's webhooks.
      const shop = await shopReady;
      expect(shop).toBe(`http://localhost:${shopPort}`);
      expect(stdout).toContain('  its owner in the merchant portal: 13800138000 / Noodles-demo-2026');
      expect((await fetch(shop)).status).toBe(200);
      expect(statSync(path.join(dataDir, 'demo-shop.json')).mode & 0o777).toBe(0o600);
      const bought = await fetch(`${shop}/buy`, { method: 'POST', redirect: 'manual' });
      expect(bought.status).toBe(303);
      const checkout = new URL(bought.headers.get('location')!);
      expect(checkout.origin).toBe(url);
      const paid = await fetch(`${url}/v1/checkouts/${checkout.pathname.split('/').at(-1)}/test-payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ payer: 'succeeds' }),
      });
      expect(paid.status).toBe(200);
      const { merchantOrderId } = (await paid.json()) as { merchantOrderId: string };
      await expect
        .poll(async () => (await fetch(`${shop}/orders/${merchantOrderId}`)).text(), { timeout: 30_000 })
        .toContain('签名已验证 ✓');
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    // The shop stopped with the wallet.
    await expect(fetch(`http://127.0.0.1:${shopPort}/`)).rejects.toThrow();
  });
});
