/** What the risk module's tests share: operators signed in, and a rule set made active. */
import { Secret, TOTP } from 'otpauth';
import { expect } from 'vitest';
import type { SecurityTestApp } from '../security/testing.ts';
import type { Rule } from './engine/types.ts';
import type { OperatorRole } from '../../auth/index.ts';

let operatorSequence = 0;

/** A new operator of `role`, signed in through the API (password and TOTP). */
export async function operatorSession(
  subject: Pick<SecurityTestApp, 'app' | 'clock'>,
  role: OperatorRole,
): Promise<{ authorization: string }> {
  operatorSequence += 1;
  const username = `${role}.${process.pid}.${operatorSequence}`;
  const created = await subject.app.services.operator.create({ username, role });
  const totp = new TOTP({ secret: Secret.fromBase32(created.totpSecret), digits: 6, period: 30 });
  const login = await subject.app.inject({
    method: 'POST',
    url: '/v1/operator/login',
    // The code of the server's (test) clock, which a test may have moved.
    payload: {
      username,
      password: created.password,
      totpCode: totp.generate({ timestamp: subject.clock.now().getTime() }),
    },
  });
  expect(login.statusCode, login.body).toBe(200);
  return { authorization: `Bearer ${login.json<{ token: string }>().token}` };
}

/** Save `rules` as a draft and activate it; answers its version. */
export async function activateRules(
  subject: SecurityTestApp,
  operator: { authorization: string },
  rules: Rule[],
  thresholds = { stepUp: 65, review: 75, block: 90 },
): Promise<number> {
  const draft = await subject.app.inject({
    method: 'POST',
    url: '/v1/operator/risk/rule-sets',
    headers: operator,
    payload: { rules, thresholds, note: 'test' },
  });
  expect(draft.statusCode, draft.body).toBe(201);
  const { version } = draft.json<{ version: number }>();
  const activated = await subject.app.inject({
    method: 'POST',
    url: `/v1/operator/risk/rule-sets/${version}/activate`,
    headers: operator,
  });
  expect(activated.statusCode, activated.body).toBe(200);
  return version;
}
