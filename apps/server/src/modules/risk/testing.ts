/** What the risk module's tests share: operators signed in, and a rule set made active (by two). */
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

/** Per app, the second operator that activates what tests draft (made on first use). */
const checkers = new WeakMap<object, Promise<{ authorization: string }>>();

/** The app's checker: a second `risk` operator, so activation is maker-checker as in production. */
export function checkerOf(
  subject: Pick<SecurityTestApp, 'app' | 'clock'>,
): Promise<{ authorization: string }> {
  let checker = checkers.get(subject.app);
  if (!checker) {
    checker = operatorSession(subject, 'risk');
    checkers.set(subject.app, checker);
  }
  return checker;
}

/**
 * Save `rules` as a draft made by `operator` and have it activated by a second operator (the
 * app's checker: maker-checker, docs/risk.md); answers its version.
 */
export async function activateRules(
  subject: Pick<SecurityTestApp, 'app' | 'clock'>,
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
    headers: await checkerOf(subject),
  });
  expect(activated.statusCode, activated.body).toBe(200);
  return version;
}
