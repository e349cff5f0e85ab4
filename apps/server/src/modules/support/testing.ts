/** Test helpers of the support module (imported by tests only). */
import { randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { expect } from 'vitest';
import type { App } from '../../app.ts';
import type { OperatorRole } from '../operator/index.ts';

export const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 2),
]);
export const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 1)]);
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n', 'latin1');

/** A clock that runs with real time from a chosen instant (service hours depend on the hour). */
export class SettableClock {
  private offsetMs = 0;
  readonly now = (): Date => new Date(Date.now() + this.offsetMs);
  set(at: Date): void {
    this.offsetMs = at.getTime() - Date.now();
  }
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

export function multipart(files: { field: string; type: string; name: string; content: Buffer }[]) {
  const boundary = `----support${randomUUID()}`;
  const chunks: Buffer[] = [];
  for (const file of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\n` +
          `Content-Type: ${file.type}\r\n\r\n`,
      ),
      file.content,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export async function operatorSession(
  app: App,
  role: OperatorRole,
  username: string,
  now: () => Date = () => new Date(),
) {
  const created = await app.services.operator.create({ username, role, displayName: `客服${username}` });
  const totp = new TOTP({ secret: Secret.fromBase32(created.totpSecret), digits: 6, period: 30 });
  const login = await app.inject({
    method: 'POST',
    url: '/v1/operator/login',
    payload: {
      username,
      password: created.password,
      totpCode: totp.generate({ timestamp: now().getTime() }),
    },
  });
  expect(login.statusCode, login.body).toBe(200);
  return {
    id: created.operator.id,
    headers: { authorization: `Bearer ${login.json<{ token: string }>().token}` },
  };
}
