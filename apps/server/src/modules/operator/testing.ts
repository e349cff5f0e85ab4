/** What the operator module's tests share: an operator of a role, signed in through the API. */
import { Secret, TOTP } from 'otpauth';
import { expect } from 'vitest';
import type { TestApp } from '../../testing.ts';
import type { OperatorRole } from './service.ts';

let sequence = 0;

export interface SignedInOperator {
  id: string;
  username: string;
  headers: { authorization: string };
}

/** A new operator of `role` (made by the service, as the CLI does), signed in with password and TOTP. */
export async function signedInOperator(subject: TestApp, role: OperatorRole): Promise<SignedInOperator> {
  sequence += 1;
  const username = `${role.replace('_', '-')}.${process.pid}.${sequence}`;
  const created = await subject.app.services.operator.create({ username, role });
  const totp = new TOTP({ secret: Secret.fromBase32(created.totpSecret), digits: 6, period: 30 });
  const login = await subject.app.inject({
    method: 'POST',
    url: '/v1/operator/login',
    payload: { username, password: created.password, totpCode: totp.generate() },
  });
  expect(login.statusCode, login.body).toBe(200);
  return {
    id: created.operator.id,
    username,
    headers: { authorization: `Bearer ${login.json<{ token: string }>().token}` },
  };
}
