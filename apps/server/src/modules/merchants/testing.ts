/** Test helpers of the merchants module: verified holders and their shops. Imported by tests only. */
import { expect } from 'vitest';
import type { TestHolder } from '../identity/testing.ts';
import { holderWithPin } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { verifyRealName } from '../transfers/testing.ts';

/** A holder with a PIN, real-name verified as `name` (`*<last character>` to others). */
export async function verifiedHolder(subject: SecurityTestApp, name = '王小明'): Promise<TestHolder> {
  const holder = await holderWithPin(subject);
  await verifyRealName(subject, holder, name);
  return holder;
}

export interface TestShop {
  id: string;
  owner: TestHolder;
}

/** A verified holder (李娜) who opened a shop (李记面馆, 上海, restaurants unless told otherwise). */
export async function shopOf(
  subject: SecurityTestApp,
  shop: { name?: string; city?: string; mcc?: string } = {},
): Promise<TestShop> {
  const owner = await verifiedHolder(subject, '李娜');
  const opened = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant',
    headers: owner.headers,
    payload: { name: shop.name ?? '李记面馆', city: shop.city ?? '上海', mcc: shop.mcc ?? '5812' },
  });
  expect(opened.statusCode, opened.body).toBe(201);
  return { id: opened.json<{ id: string }>().id, owner };
}
