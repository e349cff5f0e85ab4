import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '@qianbao/db';
import { createTestDatabase } from '../../../../../test/support/database.ts';
import type { TestDatabase } from '../../../../../test/support/database.ts';
import { SecretBox } from '../../crypto/secret-box.ts';
import { registerErrorHandlers } from '../../errors.ts';
import { bankSandboxDevRoutes } from './dev-routes.ts';
import { bankSandboxMigrations } from './migrations.ts';
import { SandboxBank } from './sandbox.ts';
import { sandboxCardNumber } from './testing.ts';

let db: TestDatabase;
let bank: SandboxBank;
let app: FastifyInstance;

beforeAll(async () => {
  db = await createTestDatabase(4);
  await migrate(db.pool, bankSandboxMigrations);
  bank = new SandboxBank({
    pool: db.pool,
    secretBox: new SecretBox(randomBytes(32)),
    latencyMs: { min: 0, max: 0 },
  });
  app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandlers(app);
  await app.register(bankSandboxDevRoutes, { bank });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await bank.close();
  await db.drop();
});

describe('the sandbox bank dev routes', () => {
  it('GET /dev/bank/sms.json lists the codes, newest first, with masked cards', async () => {
    const number = sandboxCardNumber('621700');
    const last4 = number.slice(-4);
    const first = await bank.sendCardSmsCode({ cardNumber: number, phone: '13800138000', purpose: 'bind' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await bank.sendCardSmsCode({ cardNumber: number, phone: '13800138000', purpose: 'bind' });
    await bank.sendCardSmsCode({
      cardNumber: sandboxCardNumber('622848'),
      phone: '13900139000',
      purpose: 'bind',
    });

    const response = await app.inject({
      method: 'GET',
      url: `/dev/bank/sms.json?cardLast4=${last4}&limit=10`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).not.toContain(number);
    const body = response.json<{ codes: { verificationId: string; card: string; code: string }[] }>();
    expect(body.codes.map((c) => c.verificationId)).toEqual([second.verificationId, first.verificationId]);
    expect(body.codes[0]).toMatchObject({
      card: `6217 **** **** ${last4}`,
      code: expect.stringMatching(/^\d{6}$/) as unknown,
    });

    const all = await app.inject({ method: 'GET', url: '/dev/bank/sms.json?limit=1' });
    expect(all.json<{ codes: unknown[] }>().codes).toHaveLength(1);
    expect((await app.inject({ method: 'GET', url: '/dev/bank/sms.json?cardLast4=12' })).statusCode).toBe(
      400,
    );
    expect((await app.inject({ method: 'GET', url: '/dev/bank/sms.json?limit=1000' })).statusCode).toBe(400);
  });

  it('GET /dev/bank/cards/:last4 shows balances of sandbox cards ending so', async () => {
    const number = sandboxCardNumber('622588');
    const { cardToken } = await bank.tokeniseCard(number);
    await bank.debitCard({
      operationId: 'dev-routes-1',
      cardToken,
      amountMinor: 1_234n,
      currency: 'CNY',
      description: 'top-up',
    });
    const response = await app.inject({ method: 'GET', url: `/dev/bank/cards/${number.slice(-4)}` });
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain(number);
    const { cards } = response.json<{ cards: { number: string; balance: { amount: string } }[] }>();
    expect(cards).toContainEqual(
      expect.objectContaining({
        number: `6225 **** **** ${number.slice(-4)}`,
        kind: 'card',
        bankCode: 'CMB',
        bankNameZh: '招商银行',
        balance: { amount: '9998766', currency: 'CNY' },
      }),
    );
    expect((await app.inject({ method: 'GET', url: '/dev/bank/cards/abcd' })).statusCode).toBe(400);
  });
});
