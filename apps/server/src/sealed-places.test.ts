/**
 * Every sealed place, filled through the API and rotated (ADR 0029). App A (ring: the root's data
 * key) puts a value into each place `allSealedPlaces` declares, and a scan of every text and JSON
 * value in the database finds no sealed value anywhere else; a reseal under a new key K1 (app B's
 * ring `K1,root`) moves every value to K1; app C, with K1 alone, still opens them along the real
 * code paths (TOTP, operator sign-in, real name, webhook signatures, payment codes, a bank transfer
 * quoted before the rotation); an app that lacks K1 cannot open them and says why.
 */
import { randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentCodeAt, paymentCodeStep } from '@qianbao/qr';
import { CARD_NUMBER_PURPOSE } from './adapters/bank/migrations.ts';
import { dataKeyId } from './crypto/data-keys.ts';
import { placeName, resealPlaces, sealedCensus } from './crypto/sealed-places.ts';
import type { PlaceCensus, SealedPlace } from './crypto/sealed-places.ts';
import { SecretBox, UnknownDataKeyError } from './crypto/secret-box.ts';
import { parseSecretKey } from './crypto/secret-key.ts';
import { WebhookReceiver } from './modules/developers/testing.ts';
import { enableTotp, newIdNumber, totpCode, verifyRealName } from './modules/freeze/testing.ts';
import { bindCard, cardNumber } from './modules/funding/testing.ts';
import { TestClock } from './modules/identity/testing.ts';
import type { TestHolder } from './modules/identity/testing.ts';
import { shopOf, verifiedHolder } from './modules/merchants/testing.ts';
import type { TestShop } from './modules/merchants/testing.ts';
import { OPERATOR_TOTP_PURPOSE } from './modules/operator/module.ts';
import { PUBLIC_ORIGIN, holderWithPin } from './modules/security/testing.ts';
import type { SecurityTestApp } from './modules/security/testing.ts';
import { PIN, cny, errorCode, fund, setPasswordFree } from './modules/transfers/testing.ts';
import { allSealedPlaces } from './sealed-places.ts';
import { createTestApp, testConfig } from './testing.ts';
import type { TestDatabase } from '../../../test/support/database.ts';

/** QIANBAO_SECRET_KEY of every app here (fixed random bytes: the index key must not change). */
const ROOT_KEY = 'zAlozGjYsB+HMGnQbKILmAu4v1nk6HVEo19YYjNbMXA=';
/** The data key rotated to. */
const K1 = 'c5DWxDoWwtWAaE2rRYBhaUbMVN6Eg362MnHjJwwXzRs=';
const K1_ID = dataKeyId(parseSecretKey(K1)!);

/** A value that looks sealed: `v1.<iv>.<tag>.<ct>` or `v2.<key id>.<iv>.<tag>.<ct>`. */
const SEALED_VALUE = '^v[12]\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.';
/**
 * A sealed value inside a longer text (a JSON document kept as text, a message): the exact shape
 * SecretBox writes (a 12-byte IV and a 16-byte tag in base64url), so prose does not match.
 */
const SEALED_INSIDE = '(^|[^A-Za-z0-9_.-])v(1|2\\.[0-9a-f]{16})\\.[A-Za-z0-9_-]{16}\\.[A-Za-z0-9_-]{22}\\.';
const sealedValue = new RegExp(SEALED_VALUE);
const sealedInside = new RegExp(SEALED_INSIDE);

const TIMEOUT_MS = 180_000;

/** The ring an app with these variables has, read the way the server reads it (config.ts). */
function boxOf(env: Record<string, string>): SecretBox {
  const config = testConfig({ QIANBAO_SECRET_KEY: ROOT_KEY, ...env });
  return new SecretBox(config.secretKey!, config.dataKeys);
}

/** Every app shares one clock: codes (TOTP, payment codes) and sessions stay coherent across them. */
const clock = new TestClock();

/**
 * An app with this ring on `database` (its own new one when absent: the first app owns it), its
 * log lines kept when `keepLogs`.
 */
async function appWith(
  env: Record<string, string>,
  database?: TestDatabase,
  keepLogs = false,
): Promise<SecurityTestApp> {
  const logs: string[] = [];
  const subject = await createTestApp({
    now: clock.now,
    ...(database ? { database } : {}),
    ...(keepLogs ? { logStream: { write: (line: string) => void logs.push(line) } } : {}),
    env: {
      QIANBAO_SECRET_KEY: ROOT_KEY,
      QIANBAO_PUBLIC_URL: PUBLIC_ORIGIN,
      SESSION_IDLE_SECONDS: '86400',
      SESSION_MAX_AGE_SECONDS: '2592000',
      BANK_SANDBOX_LATENCY_MS: '0',
      ...env,
    },
  });
  return { ...subject, clock, logs };
}

function census(box: SecretBox): Promise<PlaceCensus[]> {
  return sealedCensus(appA.database.pool, box, allSealedPlaces);
}

/** `{ place: { keyId: count } }`, for readable failures. */
function byPlace(report: readonly PlaceCensus[]): Record<string, Record<string, number>> {
  return Object.fromEntries(report.map((place) => [place.place, Object.fromEntries(place.byKey)]));
}

/**
 * Where a value that looks sealed is stored, anywhere in the database: every text-like column
 * (text, varchar, char and their arrays) of every table in every schema, and every string member
 * at any depth of every json/jsonb column, as `table.column` or `table.column->path`
 * (`schema.table…` outside public; the path as `sealedMembers` writes it). A sealed value
 * inside a longer string is found too, named `… (inside)`: no place can declare that.
 */
async function placesHoldingSealedValues(database: TestDatabase): Promise<Set<string>> {
  const { rows: columns } = await database.pool.query<{
    schema: string;
    table: string;
    column: string;
    type: string;
  }>(
    `SELECT c.table_schema AS schema, c.table_name AS table, c.column_name AS column,
            CASE WHEN c.data_type IN ('json', 'jsonb') THEN 'json'
                 WHEN c.data_type = 'ARRAY' THEN 'array' ELSE 'text' END AS type
       FROM information_schema.columns c
       JOIN information_schema.tables t USING (table_schema, table_name)
      WHERE t.table_type = 'BASE TABLE'
        AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
        AND c.table_schema NOT LIKE 'pg\\_%'
        AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
             OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar', '_bpchar')))
      ORDER BY 1, 2, 3`,
  );
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const found = new Set<string>();
  for (const { schema, table, column, type } of columns) {
    const relation = `${quote(schema)}.${quote(table)}`;
    const name = `${schema === 'public' ? '' : `${schema}.`}${table}.${column}`;
    if (type === 'json') {
      // The text form finds the documents; walking each one names the member that holds the value.
      const { rows } = await database.pool.query<{ document: unknown }>(
        `SELECT ${quote(column)}::jsonb AS document FROM ${relation} WHERE ${quote(column)}::text ~ $1`,
        ['v[12]\\.[A-Za-z0-9_-]+\\.'],
      );
      for (const { document } of rows) {
        for (const member of sealedMembers(document, '')) found.add(`${name}->${member}`);
      }
      continue;
    }
    const values =
      type === 'array'
        ? `SELECT item AS value FROM ${relation}, unnest(${quote(column)}) AS item`
        : `SELECT ${quote(column)}::text AS value FROM ${relation}`;
    const { rows } = await database.pool.query<{ whole: boolean | null; inside: boolean | null }>(
      `SELECT bool_or(value ~ $1) AS whole, bool_or(value !~ $1 AND value ~ $2) AS inside
         FROM (${values}) AS stored`,
      [SEALED_VALUE, SEALED_INSIDE],
    );
    if (rows[0]!.whole) found.add(name);
    if (rows[0]!.inside) found.add(`${name} (inside)`);
  }
  return found;
}

/**
 * The paths of the strings (at any depth) that are, or hold, a sealed value: `key` for a top-level
 * member (what a place's `jsonKey` names), `outer.inner`, `list[]` below it, `[]` for a top-level
 * array's element.
 */
function sealedMembers(value: unknown, path: string): string[] {
  if (typeof value === 'string') {
    if (sealedValue.test(value)) return [path];
    return sealedInside.test(value) ? [`${path} (inside)`] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item) => sealedMembers(item, `${path}[]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => sealedMembers(item, path ? `${path}.${key}` : key));
  }
  return [];
}

/** Every stored value of a place with the purpose it was sealed under. */
async function valuesOf(place: SealedPlace): Promise<{ sealed: string; purpose: string }[]> {
  const value = place.jsonKey === undefined ? place.column : `${place.column} ->> '${place.jsonKey}'`;
  const columns = [...place.purpose.matchAll(/\{([a-z_][a-z0-9_]*)\}/g)].map((match) => match[1]!);
  const { rows } = await appA.database.pool.query<Record<string, string>>(
    `SELECT ${value} AS sealed${columns.map((column) => `, ${column}::text AS ${column}`).join('')}
       FROM ${place.table} WHERE ${value} IS NOT NULL${place.where ? ` AND (${place.where})` : ''}`,
  );
  return rows.map((row) => ({
    sealed: row.sealed!,
    purpose: place.purpose.replace(/\{([a-z_][a-z0-9_]*)\}/g, (_, column: string) => row[column]!),
  }));
}

function createPayment(subject: SecurityTestApp, holder: TestHolder, payload: Record<string, unknown>) {
  return subject.app.inject({ method: 'POST', url: '/v1/payments', headers: holder.headers, payload });
}

function confirmPayment(subject: SecurityTestApp, holder: TestHolder, id: string) {
  return subject.app.inject({
    method: 'POST',
    url: `/v1/payments/${id}/confirm`,
    headers: { ...holder.headers, 'idempotency-key': randomUUID() },
    payload: { confirmation: { pin: PIN } },
  });
}

function operatorLogin(
  subject: SecurityTestApp,
  operator: { username: string; password: string; totpSecret: string },
) {
  const totp = new TOTP({ secret: Secret.fromBase32(operator.totpSecret), digits: 6, period: 30 });
  return subject.app.inject({
    method: 'POST',
    url: '/v1/operator/login',
    payload: {
      username: operator.username,
      password: operator.password,
      totpCode: totp.generate({ timestamp: clock.now().getTime() }),
    },
  });
}

function paymentCodeOf(issued: { secret: string; deviceIndex: number; stepSeconds: number }) {
  return paymentCodeAt({
    secret: new Uint8Array(Buffer.from(issued.secret, 'base64url')),
    deviceIndex: issued.deviceIndex,
    step: paymentCodeStep(clock.now().getTime(), issued.stepSeconds),
  });
}

/** The merchant's till charges ¥15.00 to a payer's payment code. */
function chargeCode(subject: SecurityTestApp, owner: TestHolder, paymentCode: string) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/charges',
    headers: { ...owner.headers, 'idempotency-key': randomUUID() },
    payload: {
      paymentCode,
      amount: cny('1500'),
      merchantOrderId: `c${randomUUID().slice(0, 12)}`,
      description: '牛肉面',
    },
  });
}

/** Does one of the space-separated `v1,<sig>` of a delivery come from this secret? */
function signedWith(
  secret: string,
  arrived: { headers: Record<string, string | string[] | undefined>; body: string },
): boolean {
  const id = String(arrived.headers['webhook-id']);
  const at = new Date(Number(arrived.headers['webhook-timestamp']) * 1000);
  const expected = new Webhook(secret).sign(id, at, arrived.body);
  return String(arrived.headers['webhook-signature']).split(' ').includes(expected);
}

// App A, the database's owner: the ring is the root's data key alone (QIANBAO_DATA_KEYS unset).
let appA: SecurityTestApp;
const receiver = new WebhookReceiver();

/** What app A made, for app C to open after the rotation. */
const made = {} as {
  holder: TestHolder;
  idNumber: string;
  totpSecret: string;
  operator: { id: string; username: string; password: string; totpSecret: string };
  shop: TestShop;
  endpointId: string;
  webhookSecret: string;
  previousWebhookSecret: string;
  payer: TestHolder;
  paymentCode: { secret: string; deviceIndex: number; stepSeconds: number };
  transferAccount: { bankCode: string; accountNumber: string; accountName: string };
  /** A bank transfer quoted (request sealed) under the root key, confirmed only after the rotation. */
  pendingTransferId: string;
};

beforeAll(async () => {
  appA = await appWith({});
  await receiver.start();
});
afterAll(async () => {
  await receiver.stop();
  // Last: app A owns the database, checks its books and drops it.
  await appA?.close();
});

describe('every sealed place (ADR 0029)', () => {
  it(
    'the API puts a value into every declared place, all under the root key',
    async () => {
      // A holder, real-name verified (kyc_profiles), with two-step verification (security_totp).
      made.idNumber = newIdNumber();
      made.holder = await holderWithPin(appA);
      await verifyRealName(appA, made.holder, made.idNumber);
      made.totpSecret = await enableTotp(appA, made.holder);

      // A bound card: the sandbox bank keeps its number sealed (bank_sandbox_accounts).
      await bindCard(appA, made.holder, cardNumber());
      await fund(appA, made.holder, 5_000_00n);

      // A bank transfer through the payment resource: its request is sealed in payments_intents,
      // its operation's account in funding_operations.
      made.transferAccount = { bankCode: 'ICBC', accountNumber: cardNumber(), accountName: '张三' };
      const sent = await createPayment(appA, made.holder, {
        kind: 'bank_transfer',
        ...made.transferAccount,
        amount: cny('3000'),
      });
      expect(sent.statusCode, sent.body).toBe(201);
      const done = await confirmPayment(appA, made.holder, sent.json<{ id: string }>().id);
      expect(done.statusCode, done.body).toBe(200);
      expect(['succeeded', 'processing']).toContain(done.json<{ status: string }>().status);
      const pending = await createPayment(appA, made.holder, {
        kind: 'bank_transfer',
        ...made.transferAccount,
        amount: cny('2000'),
      });
      expect(pending.statusCode, pending.body).toBe(201);
      made.pendingTransferId = pending.json<{ id: string }>().id;

      // An operator (made as the CLI makes one) whose TOTP secret is sealed (operator_accounts).
      const username = `support.places.${process.pid}`;
      const created = await appA.app.services.operator.create({ username, role: 'support' });
      made.operator = {
        id: created.operator.id,
        username,
        password: created.password,
        totpSecret: created.totpSecret,
      };
      const signedIn = await operatorLogin(appA, made.operator);
      expect(signedIn.statusCode, signedIn.body).toBe(200);

      // A shop's webhook endpoint, its secret rotated: both secrets sealed (developers_webhook_endpoints).
      made.shop = await shopOf(appA);
      const endpoint = await appA.app.inject({
        method: 'POST',
        url: '/v1/me/merchant/webhook-endpoints',
        headers: made.shop.owner.headers,
        payload: { url: receiver.url(), events: ['payment.succeeded'] },
      });
      expect(endpoint.statusCode, endpoint.body).toBe(201);
      made.endpointId = endpoint.json<{ id: string }>().id;
      made.previousWebhookSecret = endpoint.json<{ secret: string }>().secret;
      const rotated = await appA.app.inject({
        method: 'POST',
        url: `/v1/me/merchant/webhook-endpoints/${made.endpointId}/rotate-secret`,
        headers: made.shop.owner.headers,
        payload: { overlapHours: 24 },
      });
      expect(rotated.statusCode, rotated.body).toBe(200);
      made.webhookSecret = rotated.json<{ secret: string }>().secret;

      // A payer's payment-code device secret (merchants_payment_code_secrets).
      made.payer = await verifiedHolder(appA, '张伟');
      await fund(appA, made.payer, 1_000_00n);
      await setPasswordFree(appA, made.payer, 200_00n);
      const issued = await appA.app.inject({
        method: 'POST',
        url: '/v1/me/payment-code',
        headers: made.payer.headers,
        payload: { confirmation: { pin: PIN } },
      });
      expect(issued.statusCode, issued.body).toBe(201);
      made.paymentCode = issued.json<{ secret: string; deviceIndex: number; stepSeconds: number }>();

      // A value from before the ring, as servers before ADR 0029 wrote it (`v1.<iv>.<tag>.<ct>`,
      // the root's data key): the operator's TOTP secret, put back in that form. The rotation must
      // carry it too, and the operator signs in with it at the end.
      const rootBox = boxOf({});
      expect(rootBox.keyIds).toEqual([rootBox.rootKeyId]);
      const pool = appA.database.pool;
      const { rows } = await pool.query<{ sealed: string }>(
        'SELECT totp_secret_sealed AS sealed FROM operator_accounts WHERE id = $1',
        [made.operator.id],
      );
      const [, keyId, ...sealedParts] = rows[0]!.sealed.split('.');
      expect(keyId).toBe(rootBox.rootKeyId);
      const legacy = ['v1', ...sealedParts].join('.');
      expect(rootBox.open(legacy, OPERATOR_TOTP_PURPOSE)).toBe(made.operator.totpSecret);
      await pool.query('UPDATE operator_accounts SET totp_secret_sealed = $2 WHERE id = $1', [
        made.operator.id,
        legacy,
      ]);

      const report = await census(rootBox);
      expect(report.map((place) => place.place)).toEqual(allSealedPlaces.map(placeName));
      for (const place of report) {
        expect([...place.byKey.keys()], place.place).toEqual([rootBox.rootKeyId]);
        expect(place.byKey.get(rootBox.rootKeyId), place.place).toBeGreaterThanOrEqual(1);
      }
    },
    TIMEOUT_MS,
  );

  it(
    'no sealed value is stored outside the declared places',
    async () => {
      // The point of this test: a module that stores a sealed value in a column (or a JSON member)
      // it does not declare in its `sealed` list fails here — a reseal would never reach that
      // column, and the old key could not leave the ring without losing its values.
      const declared = new Set(allSealedPlaces.map(placeName));
      const found = await placesHoldingSealedValues(appA.database);
      expect([...found].filter((place) => !declared.has(place)).sort()).toEqual([]);
      // And the scan sees them all, so it is looking in the right places.
      expect([...found].sort()).toEqual([...declared].sort());
      // A place limited by a condition has no sealed value in the rows the condition leaves out:
      // the census and the reseal would not see one there.
      for (const place of allSealedPlaces.filter((candidate) => candidate.where !== undefined)) {
        const value = place.jsonKey === undefined ? place.column : `${place.column} ->> '${place.jsonKey}'`;
        const { rows } = await appA.database.pool.query<{ count: string }>(
          `SELECT count(*)::text AS count FROM ${place.table} WHERE ${value} ~ $1 AND (${place.where}) IS NOT TRUE`,
          [SEALED_VALUE],
        );
        expect(rows[0]!.count, placeName(place)).toBe('0');
      }
    },
    TIMEOUT_MS,
  );

  it(
    'a reseal under K1 moves every value to K1, and a second one has nothing to do',
    async () => {
      const ring = { QIANBAO_DATA_KEYS: `${K1},root` };
      // App B runs on the ring while the reseal goes on, and opens values of both keys.
      const appB = await appWith(ring, appA.database);
      try {
        const box = boxOf(ring);
        expect(box.keyIds).toEqual([K1_ID, box.rootKeyId]);
        const before = await appB.app.inject({
          method: 'GET',
          url: '/v1/me/kyc',
          headers: made.holder.headers,
        });
        expect(before.statusCode, before.body).toBe(200);

        const first = await resealPlaces(appA.database.pool, box, allSealedPlaces);
        expect(first.map((place) => place.place)).toEqual(allSealedPlaces.map(placeName));
        for (const place of first) {
          expect(place, place.place).toMatchObject({ failed: 0, remaining: 0 });
          expect(place.resealed, place.place).toBeGreaterThanOrEqual(1);
        }
        const after = await census(box);
        for (const place of after) {
          expect([...place.byKey.keys()], place.place).toEqual([K1_ID]);
        }

        const again = await resealPlaces(appA.database.pool, box, allSealedPlaces);
        expect(
          again.map(({ place, resealed, failed, remaining }) => ({ place, resealed, failed, remaining })),
        ).toEqual(
          allSealedPlaces.map((place) => ({ place: placeName(place), resealed: 0, failed: 0, remaining: 0 })),
        );
        expect(byPlace(await census(box))).toEqual(byPlace(after));

        // Opened by app B after the reseal: the same real name.
        const later = await appB.app.inject({
          method: 'GET',
          url: '/v1/me/kyc',
          headers: made.holder.headers,
        });
        expect(later.json()).toMatchObject({ realName: before.json<{ realName: object }>().realName });
      } finally {
        await appB.close();
      }
    },
    TIMEOUT_MS,
  );

  it(
    "an app with K1 alone (the root's data key gone) opens every value along the real code paths",
    async () => {
      const ring = { QIANBAO_DATA_KEYS: K1 };
      const box = boxOf(ring);
      expect(box.keyIds).toEqual([K1_ID]);
      // Every stored value of every place opens under its purpose with K1 alone.
      for (const place of allSealedPlaces) {
        const values = await valuesOf(place);
        expect(values.length, placeName(place)).toBeGreaterThanOrEqual(1);
        for (const { sealed, purpose } of values) expect(() => box.open(sealed, purpose)).not.toThrow();
      }

      const appC = await appWith(ring, appA.database);
      try {
        // The holder's TOTP: a wrong code is refused, a right one turns two-step verification off
        // (the secret is opened to check it).
        clock.advance(60);
        const disable = (code: string) =>
          appC.app.inject({
            method: 'POST',
            url: '/v1/me/totp/disable',
            headers: made.holder.headers,
            payload: { code },
          });
        const right = totpCode(appC, made.totpSecret);
        const wrong = right === '000000' ? '111111' : '000000';
        expect(errorCode(await disable(wrong))).toBe('TOTP_INVALID');
        const off = await disable(right);
        expect(off.statusCode, off.body).toBe(204);

        // The operator signs in with password and TOTP; their console opens the real name.
        const login = await operatorLogin(appC, made.operator);
        expect(login.statusCode, login.body).toBe(200);
        const operatorHeaders = { authorization: `Bearer ${login.json<{ token: string }>().token}` };
        const page = await appC.app.inject({
          method: 'GET',
          url: `/v1/operator/holders/${made.holder.userId}`,
          headers: operatorHeaders,
        });
        expect(page.statusCode, page.body).toBe(200);
        const masked = {
          name: '*明',
          idNumber: `${made.idNumber.slice(0, 4)}**********${made.idNumber.slice(-4)}`,
        };
        expect(page.json()).toMatchObject({ profile: { realName: masked } });
        const revealed = await appC.app.inject({
          method: 'POST',
          url: `/v1/operator/holders/${made.holder.userId}/reveal`,
          headers: operatorHeaders,
          payload: { field: 'idNumber', reason: 'key rotation test' },
        });
        expect(revealed.statusCode, revealed.body).toBe(200);
        expect(revealed.json()).toMatchObject({ value: made.idNumber, complete: true });
        const own = await appC.app.inject({ method: 'GET', url: '/v1/me/kyc', headers: made.holder.headers });
        expect(own.json()).toMatchObject({ realName: masked });

        // The webhook endpoint: its secret revealed to the owner, and a ping signed with both the
        // current and the previous (overlapping) secret, as the merchant was shown them.
        const secret = await appC.app.inject({
          method: 'GET',
          url: `/v1/me/merchant/webhook-endpoints/${made.endpointId}/secret`,
          headers: made.shop.owner.headers,
        });
        expect(secret.json()).toEqual({ secret: made.webhookSecret });
        const ping = await appC.app.inject({
          method: 'POST',
          url: `/v1/me/merchant/webhook-endpoints/${made.endpointId}/ping`,
          headers: made.shop.owner.headers,
        });
        expect(ping.json(), ping.body).toMatchObject({ status: 'succeeded' });
        const arrived = receiver.received.at(-1)!;
        expect(String(arrived.headers['webhook-signature']).split(' ')).toHaveLength(2);
        expect(signedWith(made.webhookSecret, arrived)).toBe(true);
        expect(signedWith(made.previousWebhookSecret, arrived)).toBe(true);

        // The payer's code, made from the secret issued before the rotation, is accepted.
        const charged = await chargeCode(appC, made.shop.owner, await paymentCodeOf(made.paymentCode));
        expect(charged.statusCode, charged.body).toBe(201);
        expect(charged.json()).toMatchObject({ status: 'succeeded' });

        // The bank transfer quoted before the rotation: its stored request is opened at confirm.
        const confirmed = await confirmPayment(appC, made.holder, made.pendingTransferId);
        expect(confirmed.statusCode, confirmed.body).toBe(200);
        expect(confirmed.json()).toMatchObject({
          result: {
            kind: 'bank_transfer',
            account: { last4: made.transferAccount.accountNumber.slice(-4), name: '*三' },
          },
        });
        expect(['succeeded', 'processing']).toContain(confirmed.json<{ status: string }>().status);
      } finally {
        await appC.close();
      }
    },
    TIMEOUT_MS,
  );

  it(
    'an app without K1 cannot open a resealed value, and says which key it needs',
    async () => {
      const ring = { QIANBAO_DATA_KEYS: 'root' };
      const box = boxOf(ring);
      const [value] = await valuesOf(allSealedPlaces.find((place) => place.column === 'legal_name_sealed')!);
      expect(() => box.open(value!.sealed, value!.purpose)).toThrow(UnknownDataKeyError);
      expect(() => box.open(value!.sealed, value!.purpose)).toThrow(K1_ID);
      const [card] = await valuesOf(allSealedPlaces.find((place) => place.purpose === CARD_NUMBER_PURPOSE)!);
      expect(() => box.open(card!.sealed, card!.purpose)).toThrow(UnknownDataKeyError);

      // Through HTTP: the route that opens the real name fails as a server error (500 INTERNAL,
      // nothing of the value in the answer), and the log names the missing key and what to do.
      const appD = await appWith(ring, appA.database, true);
      try {
        const own = await appD.app.inject({ method: 'GET', url: '/v1/me/kyc', headers: made.holder.headers });
        expect(own.statusCode, own.body).toBe(500);
        expect(errorCode(own)).toBe('INTERNAL');
        const logged = appD.logs.filter((line) => line.includes('UnknownDataKeyError'));
        expect(logged.length).toBeGreaterThanOrEqual(1);
        expect(logged.join('\n')).toContain(
          `sealed with data key ${K1_ID}, which is not in QIANBAO_DATA_KEYS`,
        );
      } finally {
        await appD.close();
      }
    },
    TIMEOUT_MS,
  );
});
