/**
 * The demo shop's setup, as a developer's own script would do it: only Qianbao's public HTTP API,
 * on a sandbox server. It signs in as the demo owner (registering them the first time, with the
 * SMS code read from the sandbox outbox `/dev/sms.json`), verifies their real name with the
 * sandbox verifier, opens their shop 演示面馆, and makes a **test** API key and a **test** webhook
 * endpoint pointing at the shop's `/webhooks`. The key's secret and the endpoint's signing secret
 * are kept in `<data dir>/demo-shop.json` (mode 0600), so a restart reuses them; a key that no
 * longer works is replaced (and the demo's stale keys revoked), an endpoint whose address changed
 * is updated. Two setups at once take turns (file-lock.ts).
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Qianbao, QianbaoError, WEBHOOK_EVENT_TYPES } from '@qianbao/sdk';
import { withFileLock } from './file-lock.ts';

/** Who owns the demo shop: fixed and documented, so a newcomer can sign in to its portal. */
export const DEMO_OWNER = {
  phone: '13800138000',
  password: 'Noodles-demo-2026',
  /** For the sandbox identity verifier (a well-formed number: the sandbox answers MATCH). */
  legalName: '陈一面',
  idNumber: '310101199003075717',
} as const;

export const DEMO_MERCHANT = { name: '演示面馆', city: '上海', mcc: '5812' } as const;

/** How the demo's key and endpoint are named in the merchant portal (and found again). */
export const DEMO_KEY_NAME = '演示商店 Demo shop';
export const DEMO_ENDPOINT_DESCRIPTION = '演示商店 Demo shop (examples/demo-shop)';
export const DEMO_KEY_SCOPES = ['payments:write', 'refunds:write'] as const;
/** Every event a merchant can subscribe to (`webhook.ping` comes unasked). */
export const DEMO_EVENTS = WEBHOOK_EVENT_TYPES.filter((type) => type !== 'webhook.ping');

/** The device the setup signs in from: known after the first registration (no SMS code then). */
const SETUP_DEVICE = { deviceId: 'qianbao-demo-shop-setup', deviceName: 'Demo shop setup' } as const;
const SETTINGS_FILE = 'demo-shop.json';
const CALL_TIMEOUT_MS = 15_000;

export interface SetUpOptions {
  /** The running Qianbao, e.g. `http://localhost:8080`. */
  qianbaoUrl: string;
  /** Where Qianbao posts the shop's webhooks, e.g. `http://127.0.0.1:8090/webhooks`. */
  webhookUrl: string;
  /** The directory of `demo-shop.json` (Qianbao's data directory). */
  dataDir: string;
  /**
   * Stops the setup before its next call (and while it waits for the lock). A call in flight is
   * let finish: cutting it would leave the server, which may be shutting down, a request to wait for.
   */
  signal?: AbortSignal;
}

export interface DemoShopSetup {
  /** The test key, `qbk_test_…`. */
  apiKey: string;
  keyId: string;
  /** The endpoint's signing secret, `whsec_…`. */
  webhookSecret: string;
  endpointId: string;
  merchantId: string;
  merchantName: string;
  owner: { phone: string; password: string };
  /** The file the secrets are kept in. */
  settingsFile: string;
  /** What this run made rather than found. */
  made: { owner: boolean; merchant: boolean; key: boolean; endpoint: boolean };
}

/** Why the setup could not finish, in one sentence. */
export class DemoShopSetupError extends Error {
  override readonly name = 'DemoShopSetupError';
}

/** What `demo-shop.json` holds. */
interface Saved {
  version: 1;
  qianbaoUrl: string;
  merchantId: string;
  apiKey: { id: string; secret: string };
  webhookEndpoint: { id: string; url: string; secret: string };
}

export function settingsFileOf(dataDir: string): string {
  return path.join(path.resolve(dataDir), SETTINGS_FILE);
}

/** Make (or find) everything the demo shop needs; idempotent, and safe to run twice at once. */
export async function setUpDemoShop(options: SetUpOptions): Promise<DemoShopSetup> {
  const settingsFile = settingsFileOf(options.dataDir);
  await mkdir(path.dirname(settingsFile), { recursive: true });
  return withFileLock(`${settingsFile}.lock`, () => setUp(options, settingsFile), {
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

async function setUp(options: SetUpOptions, settingsFile: string): Promise<DemoShopSetup> {
  const api = new Api(options.qianbaoUrl, options.signal);
  const meta = await api.call<{ mode: string }>('GET', '/v1/meta');
  if (meta.body.mode !== 'sandbox') {
    throw new DemoShopSetupError(
      `${options.qianbaoUrl} is not in sandbox mode; set the demo shop up with a key of your own (examples/demo-shop/README.md)`,
    );
  }
  const { token, registered } = await signInOwner(api);
  const owner = api.as(token);
  try {
    await verifyRealName(owner);
    const merchant = await openMerchant(owner);
    const saved = await readSaved(settingsFile);
    const key = await testKey(owner, options.qianbaoUrl, saved);
    const endpoint = await testEndpoint(owner, options.webhookUrl, saved);
    await writeSaved(settingsFile, {
      version: 1,
      qianbaoUrl: options.qianbaoUrl,
      merchantId: merchant.id,
      apiKey: { id: key.id, secret: key.secret },
      webhookEndpoint: { id: endpoint.id, url: options.webhookUrl, secret: endpoint.secret },
    });
    return {
      apiKey: key.secret,
      keyId: key.id,
      webhookSecret: endpoint.secret,
      endpointId: endpoint.id,
      merchantId: merchant.id,
      merchantName: merchant.name,
      owner: { phone: DEMO_OWNER.phone, password: DEMO_OWNER.password },
      settingsFile,
      made: { owner: registered, merchant: merchant.made, key: key.made, endpoint: endpoint.made },
    };
  } finally {
    // The setup's session is not left behind (the newcomer signs in on their own browser).
    await owner.call('POST', '/v1/auth/logout', undefined, { allow: [204] }).catch(() => undefined);
  }
}

// ---- the owner ------------------------------------------------------------------------------

async function signInOwner(api: Api): Promise<{ token: string; registered: boolean }> {
  const credentials = { phone: DEMO_OWNER.phone, password: DEMO_OWNER.password, ...SETUP_DEVICE };
  let signIn = await api.call<{ token: string }>('POST', '/v1/auth/login/password', credentials, {
    allow: [200, 401, 403],
  });
  if (signIn.status === 200) return { token: signIn.body.token, registered: false };
  // A holder that never signed in on the setup's device (registered in the web app, say).
  if (signIn.code === 'NEW_DEVICE_VERIFICATION_REQUIRED') {
    const smsCode = await smsCodeFor(api, 'new_device');
    signIn = await api.call('POST', '/v1/auth/login/password', { ...credentials, smsCode });
    return { token: signIn.body.token, registered: false };
  }
  if (signIn.code !== 'INVALID_CREDENTIALS') throw api.failure('sign in as the demo owner', signIn);
  // No such holder yet (the first start on this database).
  const code = await smsCodeFor(api, 'register');
  const registered = await api.call<{ token: string }>(
    'POST',
    '/v1/auth/register',
    { phone: DEMO_OWNER.phone, code, password: DEMO_OWNER.password, ...SETUP_DEVICE },
    { allow: [201, 409] },
  );
  if (registered.status === 201) return { token: registered.body.token, registered: true };
  throw new DemoShopSetupError(
    `the demo owner ${DEMO_OWNER.phone} exists but the password ${DEMO_OWNER.password} no longer signs in (was it changed?)`,
  );
}

/** Ask for a code for the demo owner's phone and read it from the sandbox outbox. */
async function smsCodeFor(api: Api, purpose: 'register' | 'new_device'): Promise<string> {
  const asked = await api.call(
    'POST',
    '/v1/auth/sms-codes',
    { phone: DEMO_OWNER.phone, purpose },
    { allow: [200, 429] },
  );
  // Asked again within the resend wait: the code sent then is still good.
  if (asked.status === 429 && asked.code !== 'SMS_RESEND_TOO_SOON') {
    throw api.failure('ask for an SMS code', asked);
  }
  const outbox = await api.call<{ messages: { code: string | null }[] }>(
    'GET',
    `/dev/sms.json?phone=${DEMO_OWNER.phone}&limit=5`,
  );
  const code = outbox.body.messages.find((message) => message.code)?.code;
  if (!code) throw new DemoShopSetupError(`no SMS code for ${DEMO_OWNER.phone} in the sandbox outbox`);
  return code;
}

async function verifyRealName(owner: Api): Promise<void> {
  const profile = await owner.call<{ realName: unknown }>('GET', '/v1/me/kyc');
  if (profile.body.realName !== null) return;
  const verified = await owner.call(
    'POST',
    '/v1/me/kyc/real-name',
    { legalName: DEMO_OWNER.legalName, idNumber: DEMO_OWNER.idNumber },
    { allow: [200, 409] },
  );
  // Verified meanwhile is as good; the ID number on another wallet is not.
  if (verified.status === 409 && verified.code !== 'REAL_NAME_ALREADY_VERIFIED') {
    throw owner.failure('verify the demo owner’s real name', verified);
  }
}

async function openMerchant(owner: Api): Promise<{ id: string; name: string; made: boolean }> {
  const mine = await owner.call<{ id: string; name: string; role: string }>(
    'GET',
    '/v1/me/merchant',
    undefined,
    {
      allow: [200, 404],
    },
  );
  if (mine.status === 200) {
    if (mine.body.role !== 'owner') throw new DemoShopSetupError('the demo owner is not the owner of a shop');
    return { id: mine.body.id, name: mine.body.name, made: false };
  }
  const opened = await owner.call<{ id: string; name: string }>('POST', '/v1/me/merchant', DEMO_MERCHANT);
  return { id: opened.body.id, name: opened.body.name, made: true };
}

// ---- the test key -----------------------------------------------------------------------------

interface KeyView {
  id: string;
  name: string;
  mode: 'live' | 'test';
  status: 'active' | 'expiring' | 'expired' | 'revoked';
}

async function testKey(
  owner: Api,
  qianbaoUrl: string,
  saved: Saved | null,
): Promise<{ id: string; secret: string; made: boolean }> {
  const { keys } = (await owner.call<{ keys: KeyView[] }>('GET', '/v1/me/merchant/api-keys')).body;
  if (saved) {
    const listed = keys.find((key) => key.id === saved.apiKey.id);
    if (
      listed?.mode === 'test' &&
      listed.status === 'active' &&
      (await works(qianbaoUrl, saved.apiKey.secret))
    ) {
      return { ...saved.apiKey, made: false };
    }
  }
  const made = await owner.call<{ id: string; secret: string }>('POST', '/v1/me/merchant/api-keys', {
    name: DEMO_KEY_NAME,
    scopes: DEMO_KEY_SCOPES,
    mode: 'test',
  });
  // The demo's earlier keys (their secrets lost with an old settings file) stop counting towards
  // the merchant's limit of keys.
  for (const key of keys) {
    if (
      key.name === DEMO_KEY_NAME &&
      key.mode === 'test' &&
      (key.status === 'active' || key.status === 'expiring')
    ) {
      await owner.call('DELETE', `/v1/me/merchant/api-keys/${key.id}`, undefined, { allow: [200, 404] });
    }
  }
  return { id: made.body.id, secret: made.body.secret, made: true };
}

/** Whether Qianbao accepts the key: one order query through the SDK, as the shop will make. */
async function works(qianbaoUrl: string, secret: string): Promise<boolean> {
  try {
    await new Qianbao({ apiKey: secret, baseUrl: qianbaoUrl, maxRetries: 1 }).orders.list({ limit: 1 });
    return true;
  } catch (error) {
    if (error instanceof QianbaoError && error.status === 401) return false;
    throw error;
  }
}

// ---- the test webhook endpoint ---------------------------------------------------------------

interface EndpointView {
  id: string;
  url: string;
  description: string;
  events: string[];
  status: 'enabled' | 'disabled';
  mode: 'live' | 'test';
}

async function testEndpoint(
  owner: Api,
  url: string,
  saved: Saved | null,
): Promise<{ id: string; secret: string; made: boolean }> {
  const { endpoints } = (
    await owner.call<{ endpoints: EndpointView[] }>('GET', '/v1/me/merchant/webhook-endpoints')
  ).body;
  const tests = endpoints.filter((endpoint) => endpoint.mode === 'test');
  const found =
    tests.find((endpoint) => endpoint.id === saved?.webhookEndpoint.id) ??
    tests.find((endpoint) => endpoint.description === DEMO_ENDPOINT_DESCRIPTION);
  if (!found) {
    const made = await owner.call<{ id: string; secret: string }>(
      'POST',
      '/v1/me/merchant/webhook-endpoints',
      {
        url,
        events: DEMO_EVENTS,
        description: DEMO_ENDPOINT_DESCRIPTION,
        mode: 'test',
      },
    );
    return { id: made.body.id, secret: made.body.secret, made: true };
  }
  // The shop moved (another port), an event was left out, or it was disabled after failures.
  const missing = DEMO_EVENTS.some((type) => !found.events.includes(type));
  if (found.url !== url || missing || found.status !== 'enabled') {
    await owner.call('PATCH', `/v1/me/merchant/webhook-endpoints/${found.id}`, {
      url,
      events: DEMO_EVENTS,
      enabled: true,
    });
  }
  const secret =
    saved?.webhookEndpoint.id === found.id
      ? saved.webhookEndpoint.secret
      : (await owner.call<{ secret: string }>('GET', `/v1/me/merchant/webhook-endpoints/${found.id}/secret`))
          .body.secret;
  return { id: found.id, secret, made: false };
}

// ---- the settings file -------------------------------------------------------------------------

async function readSaved(file: string): Promise<Saved | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  await chmod(file, 0o600); // secrets: the owner's only, whatever happened to the file
  try {
    const saved = JSON.parse(text) as Partial<Saved>;
    const ok =
      saved.version === 1 &&
      typeof saved.apiKey?.id === 'string' &&
      typeof saved.apiKey.secret === 'string' &&
      typeof saved.webhookEndpoint?.id === 'string' &&
      typeof saved.webhookEndpoint.secret === 'string';
    return ok ? (saved as Saved) : null;
  } catch {
    return null; // unreadable: made again
  }
}

/** Written whole or not at all (a temporary file renamed over it), readable by its owner only. */
async function writeSaved(file: string, saved: Saved): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}

// ---- HTTP ---------------------------------------------------------------------------------------

interface Answer<T> {
  status: number;
  body: T;
  /** `error.code` of an error answer. */
  code: string | null;
  message: string | null;
}

/** Qianbao's API as the setup calls it: JSON in and out, a session token when signed in. */
class Api {
  constructor(
    private readonly baseUrl: string,
    private readonly signal: AbortSignal | undefined,
    private readonly token: string | null = null,
  ) {}

  as(token: string): Api {
    return new Api(this.baseUrl, this.signal, token);
  }

  /** The call's answer; any status outside `allow` (default: 2xx) throws a DemoShopSetupError. */
  async call<T = unknown>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    route: string,
    body?: unknown,
    options: { allow?: number[] } = {},
  ): Promise<Answer<T>> {
    this.signal?.throwIfAborted();
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${route}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
    } catch (error) {
      throw new DemoShopSetupError(
        `${method} ${route.split('?')[0]} got no answer (${(error as Error).message})`,
        {
          cause: error,
        },
      );
    }
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
    const answer: Answer<T> = {
      status: response.status,
      body: parsed as T,
      code: error?.code ?? null,
      message: error?.message ?? null,
    };
    const allowed = options.allow ? options.allow.includes(answer.status) : response.ok;
    if (!allowed) throw this.failure(`${method} ${route.split('?')[0]}`, answer);
    return answer;
  }

  failure(what: string, answer: Answer<unknown>): DemoShopSetupError {
    const reason = answer.code ? `${answer.code}: ${answer.message ?? ''}`.trim() : `HTTP ${answer.status}`;
    return new DemoShopSetupError(`${what} failed (${reason})`);
  }
}
