/**
 * One holder's whole journey through every module that handles secrets, with the server's
 * logs captured at the most talkative level production uses: none of the passwords, PINs,
 * codes, tokens, ID numbers, legal names, TOTP secrets or operator credentials may appear.
 */
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { latestSmsCode } from './modules/identity/testing.ts';
import {
  createSecurityTestApp,
  expectNoSecretsInLogs,
  holderWithPin,
  type SecurityTestApp,
} from './modules/security/testing.ts';

let subject: SecurityTestApp;
beforeAll(async () => (subject = await createSecurityTestApp()));
afterAll(async () => subject.close());

it('logs hold no secrets from sign-up, PIN, two-step, real name or operator sign-in', async () => {
  const secrets = new Set<string>();
  const pin = '730194';
  const holder = await holderWithPin(subject, pin);
  secrets.add(pin).add(holder.password).add(holder.token).add(holder.phone);
  secrets.add(await latestSmsCode(subject.app, holder.phone));

  // two-step verification: the secret and the first code
  const setup = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/totp/setup',
    headers: holder.headers,
  });
  expect(setup.statusCode, setup.body).toBe(200);
  const secret = setup.json<{ secret: string }>().secret;
  secrets.add(secret);
  const code = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp: subject.clock.now().getTime(),
  });
  const enabled = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/totp/enable',
    headers: holder.headers,
    payload: { code },
  });
  expect(enabled.statusCode, enabled.body).toBe(200);
  secrets.add(code);
  for (const recovery of enabled.json<{ recoveryCodes: string[] }>().recoveryCodes) secrets.add(recovery);

  // real name: the ID number and the legal name, also in a refused attempt
  const idNumber = '110105199001010010';
  const refused = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/kyc/real-name',
    headers: holder.headers,
    payload: { legalName: '测试不符', idNumber: '513101198201130014' },
  });
  expect(refused.statusCode).toBe(422);
  const verified = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/kyc/real-name',
    headers: holder.headers,
    payload: { legalName: '周慧敏', idNumber },
  });
  expect(verified.statusCode, verified.body).toBe(200);
  secrets.add(idNumber).add('513101198201130014').add('周慧敏');

  // an operator: password, TOTP secret and code, session token
  const operator = await subject.app.services.operator.create({ username: 'logs.admin', role: 'admin' });
  const operatorCode = new TOTP({
    secret: Secret.fromBase32(operator.totpSecret),
    digits: 6,
    period: 30,
  }).generate({ timestamp: subject.clock.now().getTime() });
  const login = await subject.app.inject({
    method: 'POST',
    url: '/v1/operator/login',
    payload: { username: 'logs.admin', password: operator.password, totpCode: operatorCode },
  });
  expect(login.statusCode, login.body).toBe(200);
  secrets
    .add(operator.password)
    .add(operator.totpSecret)
    .add(operatorCode)
    .add(login.json<{ token: string }>().token);

  expect(subject.logs.length).toBeGreaterThan(10); // the logs were really captured
  expectNoSecretsInLogs(subject.logs, secrets);
  // Names are shorter than the helper's minimum secret length: look for them as they are.
  const text = subject.logs.join('\n');
  for (const name of ['周慧敏', '测试不符']) expect(text).not.toContain(name);
});
