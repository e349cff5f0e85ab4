import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../testing.ts';
import {
  TestClock,
  latestSmsCode,
  loginWithPassword,
  registerHolder,
  sendAndReadSmsCode,
} from './testing.ts';

describe('identity logs', () => {
  it('never contain passwords, codes, tokens, ID numbers or full phone numbers', async () => {
    const lines: string[] = [];
    const clock = new TestClock();
    const subject = await createTestApp({
      now: clock.now,
      logStream: { write: (line) => lines.push(line) },
      // Request lines (with their URLs) are debug in sandbox mode.
      env: { LOG_LEVEL: 'debug' },
    });
    const secrets: string[] = [];
    try {
      const holder = await registerHolder(subject.app, { password: 'Secret-Password-One-1' });
      secrets.push(
        holder.password,
        holder.token,
        holder.phone,
        await latestSmsCode(subject.app, holder.phone),
      );

      const wrong = await loginWithPassword(subject.app, { ...holder, password: 'Secret-Wrong-Password-2' });
      expect(wrong.statusCode).toBe(401);
      secrets.push('Secret-Wrong-Password-2');

      const challenged = await loginWithPassword(subject.app, { ...holder, deviceId: 'new-device-001' });
      expect(challenged.statusCode).toBe(403);
      const deviceCode = await sendAndReadSmsCode(subject.app, {
        phone: holder.phone,
        purpose: 'new_device',
      });
      const admitted = await loginWithPassword(subject.app, {
        ...holder,
        deviceId: 'new-device-001',
        smsCode: deviceCode,
      });
      const secondToken = admitted.json<{ token: string }>().token;
      secrets.push(deviceCode, secondToken);

      const changed = await subject.app.inject({
        method: 'POST',
        url: '/v1/me/password',
        headers: { cookie: `qb_session=${secondToken}` },
        payload: { oldPassword: holder.password, newPassword: 'Secret-Password-Three-3' },
      });
      expect(changed.statusCode).toBe(204);
      secrets.push('Secret-Password-Three-3');

      await subject.app.services.identity.setRealNameVerified({
        userId: holder.userId,
        idNumber: '513101198201130014',
      });
      clock.advance(61);
      const resetCode = await sendAndReadSmsCode(subject.app, {
        phone: holder.phone,
        purpose: 'reset_password',
      });
      const reset = await subject.app.inject({
        method: 'POST',
        url: '/v1/auth/password-reset',
        payload: {
          phone: holder.phone,
          code: resetCode,
          newPassword: 'Secret-Password-Four-4',
          idNumber: '513101198201130014',
        },
      });
      expect(reset.statusCode).toBe(204);
      secrets.push(resetCode, 'Secret-Password-Four-4', '513101198201130014');
      await subject.app.inject({ method: 'GET', url: `/dev/sms.json?phone=${holder.phone}` });
      await subject.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: holder.headers });
    } finally {
      await subject.close();
    }
    const output = lines.join('');
    expect(output).toContain('/v1/auth/register');
    expect(output).toContain('request rejected');
    for (const secret of secrets) expect(output).not.toContain(secret);
  });
});
