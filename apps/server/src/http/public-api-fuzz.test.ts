/**
 * The OpenAPI fuzz of the public API (issue 14): every operation an API key may call, taken from
 * the live document, is thrown what a careless or hostile client sends — bodies that break their
 * schema field by field (missing, wrong types, null, arrays, bad money, unknown currencies, huge
 * and NUL-laden strings, unknown fields), malformed or deeply nested or oversized JSON, wrong
 * content types, wrong path parameters and query strings, bad keys (none, malformed, unknown,
 * wrong secret, revoked, out of scope, another merchant's for this merchant's things), bad
 * Idempotency-Keys and versions — by a merchant with real data (a paid order, a refund, an open
 * order, a checkout, webhook deliveries).
 *
 * Whatever is sent: never a 5xx; every refusal in the standard error shape with a code the
 * document lists for that operation and status; nothing another merchant owns in any answer;
 * and not one row of the database changed by the refused requests — every table but the keys'
 * own request log and rate counters, the ledger's accounts (every balance) and journal included,
 * and `verifyLedger` passes. Then the strings a schema does allow (unicode, NUL, the longest
 * allowed) are either taken or refused, never a 5xx.
 *
 * Random cases come from fast-check with a fixed seed (`FUZZ_SEED=<n>` to try another); a
 * failure prints the seed and the smallest case that fails.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type pg from 'pg';
import { verifyLedger } from '@qianbao/ledger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { API_SCOPES } from '../auth/principal.ts';
import type { ApiScope } from '../auth/principal.ts';
import { ERRORS } from '../errors.ts';
import { shanghaiDate } from '../platform/calendar.ts';
import { paidOrderOf, shopOf } from '../modules/merchants/testing.ts';
import type { TestShop } from '../modules/merchants/testing.ts';
import { createSecurityTestApp } from '../modules/security/testing.ts';
import type { SecurityTestApp } from '../modules/security/testing.ts';
import { cny } from '../modules/transfers/testing.ts';
import { listedCodes } from './responses.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
/** `FUZZ_VERBOSE=1`: print every case and its answer. */
const VERBOSE = process.env.FUZZ_VERBOSE === '1';
/** Requests in flight at once: enough to keep the database busy, few enough for two cores. */
const CONCURRENCY = 4;
const BODY_LIMIT_BYTES = 256 * 1024;

// ---- the document -------------------------------------------------------------------------------

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  enum?: unknown[];
  pattern?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema; example?: unknown }> };
  responses: Record<string, { description?: string }>;
}

interface PublicOperation {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  operation: Operation;
  /** The API key scopes that may call it (any one). */
  scopes: ApiScope[];
  pathParameters: Parameter[];
  queryParameters: Parameter[];
  idempotent: boolean;
  body: { schema: Schema; example: Json; accepts: (value: unknown) => boolean } | null;
  /** Each error status and the codes the document lists under it. */
  codes: Map<number, Set<string>>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function publicOperations(document: { paths: Record<string, Record<string, Operation>> }): PublicOperation[] {
  const found: PublicOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const keys = (operation.security ?? []).filter((requirement) => 'apiKey' in requirement);
      if (keys.length === 0) continue;
      const media = operation.requestBody?.content['application/json'];
      const accepts = media ? z.fromJSONSchema(media.schema as Parameters<typeof z.fromJSONSchema>[0]) : null;
      found.push({
        name: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase() as PublicOperation['method'],
        path,
        operation,
        scopes: keys.flatMap((requirement) => requirement.apiKey ?? []) as ApiScope[],
        pathParameters: (operation.parameters ?? []).filter((parameter) => parameter.in === 'path'),
        queryParameters: (operation.parameters ?? []).filter((parameter) => parameter.in === 'query'),
        idempotent: (operation.parameters ?? []).some(
          (parameter) =>
            parameter.in === 'header' && parameter.name === 'Idempotency-Key' && parameter.required,
        ),
        body:
          media && accepts
            ? {
                schema: media.schema,
                example: media.example as Json,
                accepts: (value) => accepts.safeParse(value).success,
              }
            : null,
        codes: new Map(
          Object.entries(operation.responses)
            .filter(([status]) => Number(status) >= 400)
            .map(([status, response]) => [Number(status), new Set(listedCodes(response.description ?? ''))]),
        ),
      });
    }
  }
  return found;
}

// ---- what is thrown -----------------------------------------------------------------------------

interface Case {
  category: string;
  op: PublicOperation;
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Raw text, sent as is. */
  payload?: string | Buffer;
  /** A path parameter was fuzzed: the router may find no route (NOT_FOUND) rather than the operation. */
  mayMissRoute?: boolean;
  /** What must come back, when the case says so. */
  expected?: { status: number; codes?: string[] };
  /** Another merchant's key: nothing of the fuzzed merchant may be in the answer. */
  foreign?: boolean;
}

interface Finding {
  case: string;
  problem: string;
}

/** Values of the wrong kind for any field. */
const WRONG_VALUES: Json[] = [null, true, -1.5, 1e21, '', [], {}, [[1, 'x', null]]];

/** Strings that break any pattern a field has, or its length. */
const NASTY_STRINGS = [
  'a\u0000b',
  '\ud800',
  '🍜'.repeat(30),
  "' OR '1'='1; DROP TABLE merchants_orders; --",
  '../../etc/passwd',
  ' '.repeat(3),
  'x'.repeat(100_001),
];

const BAD_AMOUNTS: Json[] = [
  '-1',
  '0',
  '-0',
  '1.5',
  '1.00',
  '1e3',
  '0100',
  ' 100',
  '100 ',
  '１００',
  '0x10',
  'NaN',
  'Infinity',
  '',
  '9'.repeat(16),
  '99999999999999999999999999999999',
  '100000000000',
  100,
  1.5,
  -100,
  null,
  ['100'],
  { amount: '100' },
];
const BAD_CURRENCIES: Json[] = ['USD', 'cny', 'CN', 'CNYY', 'XXX', '', ' CNY', 'ＣＮＹ', null, 156, ['CNY']];

/** Text bodies that are not the JSON of an object. */
const MALFORMED_BODIES = [
  '{',
  '{"merchantOrderId": ',
  "{'merchantOrderId': 'A-1'}",
  '{"a":1,}',
  '[1,]',
  'undefined',
  'NaN',
  '\u0000',
  '{"a":"\\ud800"',
  '{"__proto__": {"polluted": true}}',
  '{"constructor": {"prototype": {"polluted": true}}}',
];

function clone<T>(value: T): T {
  return structuredClone(value);
}

function setAt(target: Json, path: string[], value: Json | undefined): Json {
  const copy = clone(target);
  let node = copy as Record<string, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

function objectSchemaOf(schema: Schema): Schema | null {
  if (schema.properties) return schema;
  for (const part of schema.anyOf ?? []) if (part.properties) return part;
  return null;
}

/** Every field below an object schema that the example has: its path and schema. */
function fieldsOf(schema: Schema, example: Json, at: string[] = []): { path: string[]; schema: Schema }[] {
  const object = objectSchemaOf(schema);
  if (!object || example === null || typeof example !== 'object' || Array.isArray(example)) return [];
  const found: { path: string[]; schema: Schema }[] = [];
  for (const [name, property] of Object.entries(object.properties ?? {})) {
    const path = [...at, name];
    found.push({ path, schema: property });
    if (name in example) found.push(...fieldsOf(property, example[name]!, path));
  }
  return found;
}

/** Every way to break one field of `example`, for its schema. */
function mutations(schema: Schema, example: Json): { label: string; body: Json }[] {
  const found: { label: string; body: Json }[] = [];
  for (const field of fieldsOf(schema, example)) {
    const label = field.path.join('.');
    found.push({ label: `${label} missing`, body: setAt(example, field.path, undefined) });
    for (const value of WRONG_VALUES) {
      found.push({ label: `${label} = ${JSON.stringify(value)}`, body: setAt(example, field.path, value) });
    }
    const isMoney = objectSchemaOf(field.schema)?.properties?.currency !== undefined;
    if (isMoney) {
      for (const amount of BAD_AMOUNTS) {
        found.push({
          label: `${label}.amount = ${JSON.stringify(amount)}`,
          body: setAt(example, [...field.path, 'amount'], amount),
        });
      }
      for (const currency of BAD_CURRENCIES) {
        found.push({
          label: `${label}.currency = ${JSON.stringify(currency)}`,
          body: setAt(example, [...field.path, 'currency'], currency),
        });
      }
    }
    const types = [field.schema.type, ...(field.schema.anyOf ?? []).map((part) => part.type)].flat();
    if (types.includes('string')) {
      for (const text of NASTY_STRINGS) {
        found.push({
          label: `${label} = ${JSON.stringify(text.slice(0, 12))}…`,
          body: setAt(example, field.path, text),
        });
      }
      const max =
        field.schema.maxLength ?? (field.schema.anyOf ?? []).find((part) => part.maxLength)?.maxLength;
      if (max !== undefined) {
        found.push({
          label: `${label} one too long`,
          body: setAt(example, field.path, '长'.repeat(max + 1)),
        });
      }
    }
    if (types.includes('integer') || types.includes('number')) {
      for (const value of [0, -1, 0.5, 2 ** 53, -(2 ** 53), 1e308, '120', '1e3']) {
        found.push({ label: `${label} = ${value}`, body: setAt(example, field.path, value) });
      }
    }
  }
  // Unknown fields where the document says there are none.
  const strict = (at: string[], schema: Schema | null) =>
    schema?.additionalProperties === false
      ? [
          {
            label: `${at.join('.') || 'body'} + unknown field`,
            body: setAt(example, [...at, 'qianbaoFuzz'], 1),
          },
        ]
      : [];
  found.push(...strict([], objectSchemaOf(schema)));
  for (const field of fieldsOf(schema, example))
    found.push(...strict(field.path, objectSchemaOf(field.schema)));
  // The whole body of the wrong kind.
  for (const body of [null, [], [example], 'text', 42, true, {}]) {
    found.push({ label: `body = ${JSON.stringify(body).slice(0, 40)}`, body });
  }
  return found;
}

function nested(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? '['.repeat(depth) + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

// ---- the fuzzed merchant ------------------------------------------------------------------------

interface Key {
  id: string;
  secret: string;
}

let subject: SecurityTestApp;
let operations: PublicOperation[];
/** The fuzzed merchant: its keys, one per scope and one with all of them, and its things. */
let shop: TestShop;
let keys: Record<ApiScope | 'all', Key>;
let revoked: Key;
/** Another merchant, with a key of every scope. */
let other: { shop: TestShop; key: Key };
let things: {
  paidOrder: string;
  openOrder: string;
  refund: string;
  endpointId: string;
  deliveryId: string;
  /** Every identifier of the fuzzed merchant another merchant must never see. */
  secrets: string[];
};
const findings: Finding[] = [];
/** Cases per operation, and answers per status and code: what the fuzz reached. */
const tally = new Map<string, number>();
const answers = new Map<string, number>();

async function makeKey(owner: TestShop, scopes: readonly ApiScope[]): Promise<Key> {
  const made = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/api-keys',
    headers: owner.owner.headers,
    payload: { name: `fuzz ${scopes.length}`, scopes },
  });
  expect(made.statusCode, made.body).toBe(201);
  return made.json<Key>();
}

async function asKey(key: Key, method: string, url: string, payload?: unknown) {
  const response = await subject.app.inject({
    method: method as 'GET',
    url,
    headers: {
      authorization: `Bearer ${key.secret}`,
      ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
    },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
  return response.json<Record<string, unknown>>();
}

/** Row counts and a hash of every row of every table, but what every API-key request writes. */
async function snapshot(pool: pg.Pool): Promise<Record<string, string>> {
  const { rows: tables } = await pool.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
  );
  const state: Record<string, string> = {};
  for (const { name } of tables) {
    // Every request with a key is logged and counted, and its key's last use written.
    if (name === 'developers_request_log' || name === 'developers_rate_windows') continue;
    const { rows } = await pool.query<{ count: string; hash: string | null }>(
      name === 'developers_api_keys'
        ? `SELECT count(*)::text AS count, md5(string_agg(id || ':' || coalesce(revoked_at::text, ''), ',' ORDER BY id)) AS hash FROM developers_api_keys`
        : `SELECT count(*)::text AS count, md5(string_agg(t::text, ',' ORDER BY t::text)) AS hash FROM "${name}" t`,
    );
    state[name] = `${rows[0]!.count} ${rows[0]!.hash ?? '-'}`;
  }
  return state;
}

// ---- sending and judging ------------------------------------------------------------------------

function pathOf(op: PublicOperation, values: Record<string, string>, raw = false): string {
  return op.path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const value = values[name] ?? 'x';
    return raw ? value : encodeURIComponent(value);
  });
}

/** The fuzzed merchant's own things, as each operation names them. */
function realParameters(op: PublicOperation): Record<string, string> {
  return {
    merchantOrderId: op.path.endsWith('/close') ? things.openOrder : things.paidOrder,
    merchantRefundId: things.refund,
    id: op.path.includes('webhook-endpoints')
      ? things.endpointId
      : op.path.includes('webhook-deliveries')
        ? things.deliveryId
        : randomUUID(),
    date: shanghaiDate(subject.clock.now()),
  };
}

function keyHeaders(op: PublicOperation, key: Key | string | null): Record<string, string> {
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = typeof key === 'string' ? key : `Bearer ${key.secret}`;
  if (op.idempotent) headers['idempotency-key'] = randomUUID();
  return headers;
}

function jsonCase(
  op: PublicOperation,
  category: string,
  options: {
    key?: Key | string | null;
    body?: Json | undefined;
    parameters?: Record<string, string>;
    headers?: Record<string, string>;
    query?: string;
    expected?: Case['expected'];
  } = {},
): Case {
  const body = options.body === undefined ? (op.body ? op.body.example : undefined) : options.body;
  return {
    category,
    op,
    method: op.method,
    url: pathOf(op, options.parameters ?? realParameters(op)) + (options.query ? `?${options.query}` : ''),
    headers: {
      ...keyHeaders(op, options.key === undefined ? keys.all : options.key),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    ...(options.expected ? { expected: options.expected } : {}),
  };
}

const STANDARD_ERROR_KEYS = ['code', 'details', 'message'];

function judge(kase: Case, status: number, headers: Record<string, unknown>, body: string): void {
  const name = `${kase.op.name} [${kase.category}] ${kase.method} ${kase.url.slice(0, 120)}`;
  const problem = (text: string) => findings.push({ case: name, problem: text });
  tally.set(kase.op.name, (tally.get(kase.op.name) ?? 0) + 1);
  if (status >= 500) problem(`answered ${status}: ${body.slice(0, 300)}`);
  if (headers['qianbao-version'] === undefined) problem('no Qianbao-Version header');
  if (kase.foreign && status < 400) {
    for (const secret of things.secrets)
      if (body.includes(secret)) problem(`another merchant sees ${secret}`);
  }
  const count = (key: string) => answers.set(key, (answers.get(key) ?? 0) + 1);
  if (status < 400) {
    count(String(status));
    if (kase.expected) problem(`answered ${status}, expected ${kase.expected.status}`);
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    problem(`not JSON: ${body.slice(0, 100)}`);
    return;
  }
  const error = (parsed as { error?: Record<string, unknown> }).error;
  if (
    !error ||
    Object.keys(parsed as object).length !== 1 ||
    Object.keys(error).sort().join() !== STANDARD_ERROR_KEYS.join() ||
    typeof error.code !== 'string' ||
    typeof error.message !== 'string' ||
    typeof error.details !== 'object' ||
    error.details === null ||
    Array.isArray(error.details)
  ) {
    problem(`not the standard error shape: ${body.slice(0, 200)}`);
    return;
  }
  const code = error.code;
  count(`${status} ${code}`);
  const mapping = (ERRORS as Record<string, { status: number } | undefined>)[code];
  if (mapping?.status !== status) problem(`${code} answered with ${status}`);
  if (status === 401 && headers['www-authenticate'] !== 'Bearer') problem('401 without WWW-Authenticate');
  // The router's own "no such route" is no operation's answer (an unencoded path can leave it).
  const routed = !(code === 'NOT_FOUND' && String(error.message).startsWith('No route'));
  if (routed && !kase.op.codes.get(status)?.has(code)) {
    problem(`${status} ${code} is not in the document's list for ${kase.op.name}`);
  }
  if (!routed && !kase.mayMissRoute) problem(`routed nowhere: ${String(error.message).slice(0, 100)}`);
  if (kase.expected) {
    if (status !== kase.expected.status)
      problem(`answered ${status} ${code}, expected ${kase.expected.status}`);
    else if (kase.expected.codes && !kase.expected.codes.includes(code)) {
      problem(`answered ${code}, expected ${kase.expected.codes.join(' or ')}`);
    }
  }
}

async function send(kase: Case): Promise<void> {
  const response = await subject.app.inject({
    method: kase.method as 'GET',
    url: kase.url,
    headers: kase.headers,
    ...(kase.payload === undefined ? {} : { payload: kase.payload }),
  });
  judge(kase, response.statusCode, response.headers, response.body);
  if (VERBOSE) {
    console.info(`${response.statusCode} ${response.body.slice(0, 80)} ← ${kase.op.name} [${kase.category}]`);
  }
}

/** Every case, `CONCURRENCY` at a time. */
async function sendAll(cases: Case[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < cases.length) await send(cases[next++]!);
    }),
  );
}

// ---- the cases ----------------------------------------------------------------------------------

function keyCases(op: PublicOperation): Case[] {
  const real = keys.all.secret;
  const [, mode, id, secret] = /^qbk_([a-z]+)_([0-9a-f]{16})_([0-9a-f]{64})$/.exec(real)!;
  const invalid = { status: 401, codes: ['UNAUTHORIZED', 'API_KEY_INVALID'] };
  const bearers: [string, string | null][] = [
    ['no header', null],
    ['empty bearer', 'Bearer '],
    ['basic', `Basic ${Buffer.from('user:pass').toString('base64')}`],
    ['token only', real],
    ['malformed key', 'Bearer qbk_live_nonsense'],
    ['unknown id', `Bearer qbk_${mode}_${randomBytes(8).toString('hex')}_${secret}`],
    ['wrong secret', `Bearer qbk_${mode}_${id}_${randomBytes(32).toString('hex')}`],
    ['upper-case secret', `Bearer qbk_${mode}_${id}_${secret!.toUpperCase()}`],
    ['truncated', `Bearer ${real.slice(0, -1)}`],
    ['trailing junk', `Bearer ${real}x`],
    ['two tokens', `Bearer ${real} ${real}`],
    ['other mode', `Bearer qbk_test_${id}_${secret}`],
    [
      'unknown OAuth token',
      `Bearer qbo_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('hex')}`,
    ],
    ['revoked', `Bearer ${revoked.secret}`],
    ['huge', `Bearer qbk_live_${'a'.repeat(8_000)}`],
    ['session-looking', `Bearer ${randomBytes(32).toString('base64url')}`],
  ];
  const cases = bearers.map(([label, header]) =>
    jsonCase(op, `key: ${label}`, { key: header, expected: invalid }),
  );
  // A key of the merchant whose scopes do not allow it: 403 before anything is read.
  const outOf = API_SCOPES.find((scope) => !op.scopes.includes(scope));
  if (outOf) {
    cases.push(
      jsonCase(op, `key: scope ${outOf}`, {
        key: keys[outOf],
        expected: { status: 403, codes: ['FORBIDDEN'] },
      }),
    );
  }
  for (const scope of op.scopes.filter((scope) => scope !== 'read_only')) {
    if (op.method !== 'GET' && !op.scopes.includes('read_only')) {
      cases.push(
        jsonCase(op, `key: read_only writes (${scope} needed)`, {
          key: keys.read_only,
          expected: { status: 403, codes: ['FORBIDDEN'] },
        }),
      );
      break;
    }
  }
  // Versions: refused before the key is even read.
  for (const version of ['2025-01-01', 'latest', '2026-12-07T00:00:00Z', '']) {
    const kase = jsonCase(op, `version ${version || '(empty)'}`, { headers: { 'qianbao-version': version } });
    if (version !== '') kase.expected = { status: 400, codes: ['API_VERSION_UNKNOWN'] };
    // An empty version is the newest: only a read may go through.
    if (version === '' && op.method !== 'GET') kase.headers.authorization = 'Bearer qbk_live_nonsense';
    cases.push(kase);
  }
  return cases;
}

function foreignCases(op: PublicOperation): Case[] {
  if (op.pathParameters.length === 0) return [];
  const names = op.pathParameters.map((parameter) => parameter.name);
  const kase = jsonCase(op, "another merchant's key, this merchant's things", { key: other.key });
  kase.foreign = true;
  // Whatever names one of the merchant's things is not found by another merchant.
  if (names.some((name) => ['merchantOrderId', 'merchantRefundId', 'id'].includes(name))) {
    kase.expected = { status: 404 };
  }
  return [kase];
}

const PATH_VALUES = [
  '',
  ' ',
  '0',
  '-1',
  'a'.repeat(101),
  '9'.repeat(5_000),
  '订单-1001',
  '🍜',
  "' OR '1'='1",
  '1; DROP TABLE merchants_orders;--',
  '../api-keys',
  '..',
  '.',
  '%00',
  '\u0000',
  'a/b',
  '%2e%2e%2f',
  '${jndi:ldap://x}',
  'msg_' + '0'.repeat(32),
  '00000000-0000-0000-0000-000000000000',
  '2026-02-30',
  '0000-01-01',
  '9999-12-31',
];

function pathCases(op: PublicOperation): Case[] {
  const cases: Case[] = [];
  for (const parameter of op.pathParameters) {
    for (const value of PATH_VALUES) {
      const parameters = { ...realParameters(op), [parameter.name]: value };
      // Nothing of the merchant is named: a write finds nothing to act on, a read reads nothing.
      const kase = jsonCase(op, `path ${parameter.name}=${JSON.stringify(value.slice(0, 20))}`, {
        parameters,
      });
      kase.mayMissRoute = true;
      cases.push(kase);
    }
    for (const raw of ['../../api-keys', '%', '%zz', '%E0%A4%A', 'a?b', 'a#b', '..%2F..%2Fapi-keys']) {
      const parameters = { ...realParameters(op), [parameter.name]: raw };
      const kase = jsonCase(op, `raw path ${parameter.name}=${raw}`);
      kase.url = pathOf(op, parameters, true);
      kase.mayMissRoute = true;
      cases.push(kase);
    }
  }
  return cases;
}

/** Query strings: each parameter with wrong values, twice, and cursors that decode to nonsense. */
function queryCases(op: PublicOperation): Case[] {
  const cases: Case[] = [];
  const cursor = (text: string) => Buffer.from(text).toString('base64url');
  const values = [
    '',
    '0',
    '-1',
    '1.5',
    '1e3',
    '101',
    '9'.repeat(400),
    'NaN',
    'Infinity',
    'abc',
    '%00',
    '%zz',
    '订单',
    "'; DROP TABLE merchants_orders; --",
    cursor(`+275760-09-13T00:00:00.000Z|${randomUUID()}`),
    cursor(`-271821-04-20T00:00:00.000Z|${randomUUID()}`),
    cursor(`1970-01-01T00:00:00.000Z|${randomUUID()}`),
    cursor('2026-12-07T00:00:00.000Z|not-a-uuid'),
    cursor('|'),
    `+275760-09-13T00:00:00.000Z_msg_${'0'.repeat(32)}`,
    `-271821-04-20T00:00:00.000Z_msg_${'0'.repeat(32)}`,
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '2026-02-29T00:00:00Z',
    '0000-01-01',
    '9999-12-31',
    '2026-02-29',
    'json',
    'xml',
  ];
  for (const parameter of op.queryParameters) {
    for (const value of values) {
      const query = `${encodeURIComponent(parameter.name)}=${value.includes('%') ? value : encodeURIComponent(value)}`;
      cases.push(jsonCase(op, `query ${parameter.name}=${value.slice(0, 24)}`, { query }));
    }
    cases.push(
      jsonCase(op, `query ${parameter.name} twice`, { query: `${parameter.name}=1&${parameter.name}=2` }),
    );
    cases.push(
      jsonCase(op, `query ${parameter.name}[]`, { query: `${parameter.name}[]=1&${parameter.name}[a]=2` }),
    );
  }
  if (op.queryParameters.length > 0) {
    cases.push(
      jsonCase(op, 'query: unknown parameters', { query: 'qianbaoFuzz=1&__proto__=x&constructor=y' }),
    );
    cases.push(jsonCase(op, 'query: huge', { query: `q=${'a'.repeat(60_000)}` }));
  }
  return cases;
}

/** Bodies that break the schema (checked against the document first: only those are sent). */
function bodyCases(op: PublicOperation): Case[] {
  const body = op.body;
  if (!body) return [];
  const cases: Case[] = [];
  for (const mutation of mutations(body.schema, body.example)) {
    if (body.accepts(mutation.body)) continue; // a body the schema allows is not a refusal to test
    cases.push(
      jsonCase(op, `body: ${mutation.label}`, {
        body: mutation.body,
        expected: { status: 400, codes: ['VALIDATION_FAILED'] },
      }),
    );
  }
  return cases;
}

/** What any request with a body may be sent: not JSON, not an object, too deep, too large. */
function rawBodyCases(op: PublicOperation): Case[] {
  if (op.method === 'GET') return [];
  const cases: Case[] = [];
  // An operation without a body ignores one it can read: it is sent where it would find nothing.
  const base = op.body
    ? jsonCase(op, 'raw')
    : jsonCase(op, 'raw', {
        parameters: Object.fromEntries(op.pathParameters.map((parameter) => [parameter.name, 'FUZZ-NONE'])),
      });
  // An object no schema takes (an unknown field), so the content type alone decides.
  const refused = JSON.stringify({ ...((op.body?.example as object | undefined) ?? {}), qianbaoFuzz: true });
  const raw = (
    category: string,
    payload: string | Buffer,
    contentType: string | null,
    expected?: Case['expected'],
  ): Case => ({
    ...base,
    category,
    headers: { ...keyHeaders(op, keys.all), ...(contentType ? { 'content-type': contentType } : {}) },
    payload,
    ...(expected ? { expected } : {}),
  });
  for (const text of MALFORMED_BODIES) {
    cases.push(raw(`malformed ${JSON.stringify(text.slice(0, 20))}`, text, 'application/json'));
  }
  cases.push(raw('empty body', '', 'application/json'));
  cases.push(raw('BOM then an object no schema takes', `\ufeff${refused}`, 'application/json'));
  cases.push(raw('deep arrays', nested(100_000, 'array'), 'application/json'));
  cases.push(raw('deep objects', nested(20_000, 'object'), 'application/json'));
  cases.push(
    raw('beyond the body limit', JSON.stringify({ a: 'x'.repeat(BODY_LIMIT_BYTES) }), 'application/json', {
      status: 413,
      codes: ['PAYLOAD_TOO_LARGE'],
    }),
  );
  cases.push(
    raw('100 KB of nothing', JSON.stringify({ qianbaoFuzz: 'x'.repeat(100_000) }), 'application/json'),
  );
  for (const type of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=qianbao',
    'application/xml',
    'application/vnd.api+json',
    'application/json; charset=utf-16',
    'APPLICATION/JSON',
    'application/json, text/plain',
    'application/octet-stream',
  ]) {
    cases.push(raw(`content-type ${type}`, refused, type));
  }
  cases.push(raw('no content-type', refused, null));
  cases.push(
    raw('latin-1 bytes', Buffer.from('{"merchantOrderId":"\xe9\xff"}', 'latin1'), 'application/json'),
  );
  return cases;
}

function idempotencyCases(op: PublicOperation): Case[] {
  if (!op.idempotent) return [];
  const required = { status: 400, codes: ['IDEMPOTENCY_KEY_REQUIRED'] };
  const cases: Case[] = [];
  for (const [label, value] of [
    ['missing', null],
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['far too long', 'k'.repeat(20_000)],
  ] as const) {
    const kase = jsonCase(op, `Idempotency-Key ${label}`, { expected: required });
    if (value === null) delete kase.headers['idempotency-key'];
    else kase.headers['idempotency-key'] = value;
    cases.push(kase);
  }
  return cases;
}

/**
 * A fast-check property over the server, seeded; its failure (with the smallest case) is a finding
 * beside the others rather than an exception that hides them.
 */
async function property<Values extends [unknown, ...unknown[]]>(
  check: fc.IAsyncPropertyWithHooks<Values>,
  numRuns: number,
): Promise<void> {
  const details = await fc.check(check, { seed: SEED, numRuns });
  if (details.failed) {
    findings.push({
      case: `fast-check (seed ${SEED}, path ${details.counterexamplePath ?? '-'})`,
      problem: `${JSON.stringify(details.counterexample, (key, value: unknown) =>
        key === '0' && value && typeof value === 'object' && 'name' in value
          ? (value as { name: string }).name
          : value,
      )?.slice(
        0,
        300,
      )}: ${details.errorInstance instanceof Error ? details.errorInstance.message : 'failed'}`,
    });
  }
}

/** Error lines the app logged (pino level 50 and up): a refusal is never one. */
function errorLogs(): string[] {
  return subject.logs.filter((line) => /"level":(50|60)/.test(line));
}

// ---- the test -----------------------------------------------------------------------------------

beforeAll(async () => {
  subject = await createSecurityTestApp({
    API_KEY_RATE_LIMIT: '1000000',
    API_KEY_RATE_WINDOW_SECONDS: '3600',
    API_KEYS_PER_MERCHANT: '50',
  });
  shop = await shopOf(subject, { name: '福兹测试面馆' });
  keys = {
    all: await makeKey(shop, API_SCOPES),
    'payments:write': await makeKey(shop, ['payments:write']),
    'refunds:write': await makeKey(shop, ['refunds:write']),
    'payouts:write': await makeKey(shop, ['payouts:write']),
    read_only: await makeKey(shop, ['read_only']),
  };
  revoked = await makeKey(shop, API_SCOPES);
  const revoking = await subject.app.inject({
    method: 'DELETE',
    url: `/v1/me/merchant/api-keys/${revoked.id}`,
    headers: shop.owner.headers,
  });
  expect(revoking.statusCode, revoking.body).toBeLessThan(300);
  const otherShop = await shopOf(subject, { name: '别家小馆' });
  other = { shop: otherShop, key: await makeKey(otherShop, API_SCOPES) };

  // Real data: an endpoint told of payments and refunds, a paid order with a refund, an open
  // order, a checkout; the other merchant has an order of its own.
  const endpoint = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/webhook-endpoints',
    headers: shop.owner.headers,
    payload: { url: 'http://127.0.0.1:9/hooks', events: ['payment.succeeded', 'refund.succeeded'] },
  });
  expect(endpoint.statusCode, endpoint.body).toBe(201);
  const endpointId = endpoint.json<{ id: string }>().id;
  const { merchantOrderId: paidOrder } = await paidOrderOf(subject, shop.owner, '5000', 'FUZZ-PAID-1');
  const refund = await asKey(keys.all, 'POST', `/v1/me/merchant/orders/${paidOrder}/refunds`, {
    merchantRefundId: 'FUZZ-REFUND-1',
    amount: cny('1000'),
  });
  const open = await asKey(keys.all, 'POST', '/v1/me/merchant/orders', {
    merchantOrderId: 'FUZZ-OPEN-1',
    amount: cny('1234'),
  });
  const checkout = await asKey(keys.all, 'POST', '/v1/me/merchant/checkouts', {
    merchantOrderId: 'FUZZ-CHECKOUT-1',
    amount: cny('8800'),
    returnUrl: 'https://shop.example.com/back',
  });
  await asKey(other.key, 'POST', '/v1/me/merchant/orders', { merchantOrderId: 'B-1', amount: cny('100') });
  await subject.app.outbox.deliverPending();
  const listed = await asKey(keys.all, 'GET', `/v1/me/merchant/webhook-endpoints/${endpointId}/deliveries`);
  const deliveries = listed.deliveries as { id: string }[];
  expect(deliveries.length).toBeGreaterThanOrEqual(2);
  const paid = await asKey(keys.all, 'GET', `/v1/me/merchant/orders/${paidOrder}`);
  things = {
    paidOrder,
    openOrder: 'FUZZ-OPEN-1',
    refund: 'FUZZ-REFUND-1',
    endpointId,
    deliveryId: deliveries[0]!.id,
    secrets: [
      shop.id,
      paidOrder,
      'FUZZ-OPEN-1',
      'FUZZ-REFUND-1',
      'FUZZ-CHECKOUT-1',
      '福兹测试面馆',
      String(paid.id),
      String(refund.id),
      String(open.id),
      String(checkout.id),
      endpointId,
      ...deliveries.map((delivery) => delivery.id),
    ],
  };

  const document = (await subject.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
    paths: Record<string, Record<string, Operation>>;
  }>();
  operations = publicOperations(document);
}, 120_000);

afterAll(async () => subject?.close());

describe('the OpenAPI fuzz of the public API', () => {
  it('refuses every bad request in the standard shape, never with a 5xx, and changes nothing', async () => {
    expect(operations.length).toBeGreaterThanOrEqual(17);
    findings.length = 0;
    const started = Date.now();
    const before = await snapshot(subject.database.pool);
    // Every table is in it: the ledger's (every balance, the journal), the merchants', the keys'.
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining([
        'ledger_accounts',
        'ledger_transfers',
        'ledger_journal',
        'merchants_orders',
        'merchants_refunds',
        'merchants_code_charges',
        'merchants_settlements',
        'merchants_checkouts',
        'developers_webhook_deliveries',
        'developers_webhook_attempts',
        'idempotency_keys',
        'outbox_events',
      ]),
    );
    const loggedBefore = errorLogs().length;

    // Every operation, every kind of case, from the table above.
    const cases = operations.flatMap((op) => [
      ...keyCases(op),
      ...foreignCases(op),
      ...pathCases(op),
      ...queryCases(op),
      ...bodyCases(op),
      ...rawBodyCases(op),
      ...idempotencyCases(op),
    ]);
    await sendAll(cases);

    // Random ones: any operation, any field of its body set to any JSON (when the schema then
    // refuses it), any path parameter and query value, any bearer token.
    const withBody = operations.filter((op) => op.body);
    let randomCases = 0;
    await property(
      fc.asyncProperty(
        fc.constantFrom(...withBody),
        fc.nat(),
        fc.jsonValue({ maxDepth: 4 }),
        async (op, pick, value) => {
          const fields = fieldsOf(op.body!.schema, op.body!.example);
          const field = fields[pick % fields.length]!;
          const body = setAt(op.body!.example, field.path, value as Json);
          fc.pre(!op.body!.accepts(body));
          randomCases += 1;
          const before = findings.length;
          await send(
            jsonCase(op, `random body: ${field.path.join('.')}`, { body, expected: { status: 400 } }),
          );
          return findings.length === before;
        },
      ),
      100,
    );
    const withPath = operations.filter((op) => op.pathParameters.length > 0);
    await property(
      fc.asyncProperty(
        fc.constantFrom(...withPath),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }),
        async (op, value) => {
          const parameter = op.pathParameters[value.length % op.pathParameters.length]!;
          randomCases += 1;
          const before = findings.length;
          const kase = jsonCase(op, `random path ${parameter.name}`, {
            parameters: { ...realParameters(op), [parameter.name]: value },
          });
          kase.mayMissRoute = true;
          await send(kase);
          return findings.length === before;
        },
      ),
      100,
    );
    const withQuery = operations.filter((op) => op.queryParameters.length > 0);
    await property(
      fc.asyncProperty(
        fc.constantFrom(...withQuery),
        fc.array(fc.tuple(fc.nat(), fc.string({ unit: 'binary', maxLength: 40 })), {
          minLength: 1,
          maxLength: 4,
        }),
        async (op, pairs) => {
          let query = '';
          try {
            query = pairs
              .map(([index, value]) => {
                const name = op.queryParameters[index % op.queryParameters.length]!.name;
                return `${name}=${encodeURIComponent(value)}`;
              })
              .join('&');
          } catch {
            fc.pre(false); // a lone surrogate has no URL encoding
          }
          randomCases += 1;
          const before = findings.length;
          await send(jsonCase(op, 'random query', { query }));
          return findings.length === before;
        },
      ),
      100,
    );
    await property(
      fc.asyncProperty(
        fc.constantFrom(...operations),
        fc.oneof(
          fc.string({ unit: 'binary-ascii', maxLength: 120 }),
          fc.stringMatching(/^(qbk_live|qbk_test|qbo)_[0-9a-f]{16}_[0-9a-f]{64}$/),
          fc.stringMatching(/^qbk_[a-z_0-9]{0,100}$/),
        ),
        async (op, token) => {
          // Characters a header cannot carry are the HTTP parser's business, not ours.
          fc.pre(/^[\t\x20-\x7e]*$/.test(token) && token.trim() === token);
          randomCases += 1;
          const before = findings.length;
          await send(jsonCase(op, 'random bearer', { key: `Bearer ${token}`, expected: { status: 401 } }));
          return findings.length === before;
        },
      ),
      100,
    );

    const after = await snapshot(subject.database.pool);
    const seconds = (Date.now() - started) / 1000;
    console.info(
      `fuzz: ${operations.length} operations, ${cases.length} listed + ${randomCases} random cases ` +
        `(seed ${SEED}) in ${seconds.toFixed(1)} s; per operation: ` +
        [...tally].map(([name, count]) => `${count} ${name}`).join(', ') +
        `; answers: ${[...answers]
          .sort()
          .map(([answer, count]) => `${answer} ×${count}`)
          .join(', ')}`,
    );
    // All at once, so that one failure does not hide the others.
    expect({
      findings,
      errorsLogged: errorLogs().slice(loggedBefore),
      tablesChanged: Object.keys({ ...before, ...after }).filter((table) => before[table] !== after[table]),
    }).toEqual({ findings: [], errorsLogged: [], tablesChanged: [] });
    const books = await verifyLedger(subject.database.pool);
    expect(books.problems).toEqual([]);
    expect(books.ok).toBe(true);
  }, 180_000);

  it('takes or refuses the strings a schema allows — unicode, NUL, the longest — never with a 5xx', async () => {
    const TEXTS = [
      '🍜'.repeat(50),
      '\u0000',
      'a\u0000b',
      '\ud800',
      '\u202e反转',
      'x'.repeat(100),
      'é\u0301',
      '\r\n',
    ];
    const cases: Case[] = [];
    let n = 0;
    for (const op of operations.filter((found) => found.body)) {
      const body = op.body!;
      for (const field of fieldsOf(body.schema, body.example)) {
        const types = [field.schema.type, ...(field.schema.anyOf ?? []).map((part) => part.type)].flat();
        if (!types.includes('string') || field.schema.pattern || field.schema.enum) continue;
        for (const text of TEXTS) {
          let mutated = setAt(body.example, field.path, text);
          // A fresh order or refund number each time, so each is a new thing, not a conflict.
          n += 1;
          for (const number of ['merchantOrderId', 'merchantRefundId']) {
            if (mutated && typeof mutated === 'object' && !Array.isArray(mutated) && number in mutated) {
              mutated = setAt(mutated, [number], `U-${n}`);
            }
          }
          if (!body.accepts(mutated)) continue;
          cases.push(
            jsonCase(op, `allowed ${field.path.join('.')}=${JSON.stringify(text.slice(0, 8))}`, {
              body: mutated,
            }),
          );
        }
      }
    }
    expect(cases.length).toBeGreaterThan(10);
    findings.length = 0;
    await sendAll(cases);
    expect(findings).toEqual([]);
    const books = await verifyLedger(subject.database.pool);
    expect(books.problems).toEqual([]);
  }, 120_000);
});
