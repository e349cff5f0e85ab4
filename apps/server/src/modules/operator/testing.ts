/** What the operator module's tests share: an operator of a role, signed in through the API. */
import { randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type pg from 'pg';
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

/**
 * Runs `act` while the audit log refuses the entries that match `refuse` (an action, a target, or
 * both) — as an append that fails inside the action's own transaction would — and lifts the refusal
 * afterwards, whatever happened. Answers what `act` answered.
 */
export async function withAuditRefused<T>(
  pool: pg.Pool,
  refuse: { action?: string; target?: string },
  act: () => Promise<T>,
): Promise<T> {
  const conditions: string[] = [];
  if (refuse.action !== undefined) {
    if (!/^[\w.-]+$/.test(refuse.action)) throw new Error('a plain action name only');
    conditions.push(`NEW.action = '${refuse.action}'`);
  }
  if (refuse.target !== undefined) {
    if (!/^[\w-]+$/.test(refuse.target)) throw new Error('a plain target only');
    conditions.push(`NEW.target = '${refuse.target}'`);
  }
  if (conditions.length === 0) throw new Error('refuse an action, a target or both');
  const name = `test_refuse_audit_${randomUUID().replaceAll('-', '_')}`;
  await pool.query(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF ${conditions.join(' AND ')} THEN
        RAISE EXCEPTION 'the audit log refuses % (a test)', NEW.action;
      END IF;
      RETURN NEW;
    END $$`);
  await pool.query(
    `CREATE TRIGGER ${name} BEFORE INSERT ON operator_audit_log FOR EACH ROW EXECUTE FUNCTION ${name}()`,
  );
  try {
    return await act();
  } finally {
    await pool.query(`DROP TRIGGER ${name} ON operator_audit_log`);
    await pool.query(`DROP FUNCTION ${name}()`);
  }
}
