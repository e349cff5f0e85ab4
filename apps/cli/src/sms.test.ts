import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxSmsSender } from '../../server/src/adapters/sms/index.ts';
import { createTestDatabase } from '../../../test/support/database.ts';
import type { TestDatabase } from '../../../test/support/database.ts';
import { runQianbao, spawnQianbao } from './testing.ts';

describe('qianbao sms tail', () => {
  let database: TestDatabase;
  let sender: SandboxSmsSender;
  beforeAll(async () => {
    database = await createTestDatabase();
    sender = new SandboxSmsSender(database.pool);
    await sender.send({ phone: '13800138000', text: '【钱包】验证码 111111，用于注册，5 分钟内有效。' });
    await sender.send({ phone: '13900139000', text: '【钱包】验证码 222222，用于登录，5 分钟内有效。' });
    await sender.send({ phone: '13800138000', text: '【钱包】验证码 333333，用于登录，5 分钟内有效。' });
  });
  afterAll(async () => {
    await database.drop();
  });

  it('prints the newest messages, oldest of them first, optionally for one number', async () => {
    const all = await runQianbao(['sms', 'tail'], { DATABASE_URL: database.url });
    expect(all.code).toBe(0);
    const lines = all.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}13800138000 {2}111111 {2}【钱包】验证码 111111/,
    );
    expect(lines[2]).toContain('333333');

    const one = await runQianbao(['sms', 'tail', '--phone', '+86 138 0013 8000', '--limit', '1'], {
      DATABASE_URL: database.url,
    });
    expect(one.stdout.trim().split('\n')).toEqual([expect.stringContaining('333333') as string]);
  });

  it('follows new messages until stopped', async () => {
    const child = spawnQianbao(['sms', 'tail', '--follow', '--phone', '13700137000'], {
      DATABASE_URL: database.url,
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500)); // started and polling
      await sender.send({ phone: '13700137000', text: '【钱包】验证码 444444，用于登录，5 分钟内有效。' });
      const deadline = Date.now() + 15_000;
      while (!stdout.includes('444444') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(stdout).toContain('13700137000  444444');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('refuses bad arguments and production mode', async () => {
    const badPhone = await runQianbao(['sms', 'tail', '--phone', '12345'], { DATABASE_URL: database.url });
    expect(badPhone.code).toBe(2);
    expect(badPhone.stderr).toContain('not a mainland mobile number');
    const unknown = await runQianbao(['sms', 'send'], { DATABASE_URL: database.url });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Usage: qianbao sms tail');
    const production = await runQianbao(['sms', 'tail'], {
      DATABASE_URL: database.url,
      QIANBAO_MODE: 'production',
      QIANBAO_ADMIN_TOKEN: 'a-long-enough-admin-token-for-the-tests-0123',
      QIANBAO_PUBLIC_URL: 'https://wallet.example.com',
      QIANBAO_SECRET_KEY: 'q1P8xW0r3mZk6TnV2bYs9cHf4LdJ7gEa5uRo+KiNwQM=',
      QIANBAO_TRUST_PROXY: 'loopback',
    });
    expect(production.code).toBe(2);
    expect(production.stderr).toContain('sandbox mode only');
  });
});
