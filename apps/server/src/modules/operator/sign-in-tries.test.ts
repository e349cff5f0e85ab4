/**
 * Operator sign-in lockout under real concurrency: many wrong sign-ins sent at once over HTTP to
 * a listening server. The try is counted before anything is compared (secret-tries.ts): exactly
 * the limit of them are checked and answered 401, every other one 423.
 */
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../testing.ts';
import type { TestApp } from '../../testing.ts';
import { DEFAULT_OPERATOR_CONFIG } from './index.ts';

// Not the default: the limit is the deployment's (OPERATOR_MAX_FAILURES, modules/operator/module.ts).
const LIMIT = 3;
const CONCURRENT = 40;

let subject: TestApp;
let url: string;
beforeAll(async () => {
  expect(DEFAULT_OPERATOR_CONFIG.maxFailures).not.toBe(LIMIT);
  subject = await createTestApp({ env: { OPERATOR_MAX_FAILURES: String(LIMIT) } });
  url = await subject.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await subject.close();
});

async function signIn(body: { username: string; password: string; totpCode: string }) {
  const response = await fetch(`${url}/v1/operator/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as { error?: { code: string } };
  return { status: response.status, code: answer.error?.code ?? null };
}

async function failedSignIns(operatorId: string): Promise<{ details: unknown }[]> {
  const { rows } = await subject.database.pool.query<{ details: unknown }>(
    `SELECT details FROM operator_audit_log WHERE operator_id = $1 AND action = 'operator.login_failed'`,
    [operatorId],
  );
  return rows;
}

describe('operator sign-in tries under concurrency', () => {
  it(`${CONCURRENT} wrong sign-ins at once: exactly ${LIMIT} are checked (401), the rest are locked out (423)`, async () => {
    const created = await subject.app.services.operator.create({ username: 'risk.chen', role: 'risk' });
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        signIn({ username: 'risk.chen', password: `wrong-${i}`, totpCode: '000000' }),
      ),
    );
    expect(answers.filter((a) => a.status === 401 && a.code === 'OPERATOR_LOGIN_FAILED')).toHaveLength(LIMIT);
    expect(answers.filter((a) => a.status === 423 && a.code === 'OPERATOR_LOCKED')).toHaveLength(
      CONCURRENT - LIMIT,
    );
    const failures = await failedSignIns(created.operator.id);
    expect(failures).toHaveLength(LIMIT);
    expect(failures.filter((row) => JSON.stringify(row.details) === '{"locked":true}')).toHaveLength(1);

    // The right password and code are refused too while locked.
    const totp = new TOTP({ secret: Secret.fromBase32(created.totpSecret), digits: 6, period: 30 });
    expect(
      await signIn({ username: 'risk.chen', password: created.password, totpCode: totp.generate() }),
    ).toEqual({
      status: 423,
      code: 'OPERATOR_LOCKED',
    });
  });
});
