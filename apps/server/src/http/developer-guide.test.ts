/**
 * docs/developers.md against the server: the curl commands of "Quick start with curl" run as
 * written (each answers a success, in the version it asked for), and its "Errors" names every
 * code the public API's operations list in the OpenAPI document, each on its operation's row.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopOf } from '../modules/merchants/testing.ts';
import { createSecurityTestApp } from '../modules/security/testing.ts';
import type { SecurityTestApp } from '../modules/security/testing.ts';
import { BODY_CODES, IDEMPOTENCY_CODES, MERCHANT_API_CODES, listedCodes } from './responses.ts';

const GUIDE = readFileSync(new URL('../../../../docs/developers.md', import.meta.url), 'utf8');

/** The text of a `## ` section of the guide, up to the next one. */
function section(title: string): string {
  const start = GUIDE.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`docs/developers.md has no section "${title}"`);
  const end = GUIDE.indexOf('\n## ', start + 1);
  return GUIDE.slice(start, end < 0 ? undefined : end);
}

/** Each `curl` command of the section's sh blocks, its lines joined. */
function curlCommands(text: string): string[] {
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((block) => block[1]!.replace(/\\\n\s*/g, ' ').trim())
    .filter((command) => command.startsWith('curl '));
}

/** Shell words as sh reads them here: '…' as is, "…" and bare words with $VARIABLES expanded. */
function words(command: string, variables: Record<string, string>): string[] {
  const expand = (text: string) =>
    text.replace(/\$([A-Z_]+)/g, (_match, name: string) => {
      const value = variables[name];
      if (value === undefined) throw new Error(`$${name} is not set for: ${command}`);
      return value;
    });
  const found: string[] = [];
  for (const match of command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) {
    found.push(match[1] ?? expand(match[2] ?? match[3]!));
  }
  return found;
}

interface Curl {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

function parseCurl(argv: string[]): Curl {
  const curl: Curl = { method: 'GET', url: '', headers: {} };
  for (let index = 1; index < argv.length; index++) {
    const word = argv[index]!;
    if (word === '-H') {
      const [name, ...value] = argv[++index]!.split(':');
      curl.headers[name!.trim().toLowerCase()] = value.join(':').trim();
    } else if (word === '-d') {
      curl.body = argv[++index]!;
      curl.method = 'POST';
    } else if (word === '-X') {
      curl.method = argv[++index]!;
    } else if (word.startsWith('http')) {
      curl.url = new URL(word).pathname + new URL(word).search;
    } else if (!/^-[a-z]+$/.test(word)) {
      throw new Error(`the test does not read curl's ${word}`);
    }
  }
  return curl;
}

describe('docs/developers.md', () => {
  let subject: SecurityTestApp;
  beforeAll(async () => {
    subject = await createSecurityTestApp();
  });
  afterAll(async () => subject?.close());

  it('Quick start with curl: every command works as written', async () => {
    const shop = await shopOf(subject);
    const variables: Record<string, string> = {
      OWNER_SESSION: shop.owner.headers.authorization.replace(/^Bearer /, ''),
    };
    const commands = curlCommands(section('Quick start with curl'));
    expect(commands.length).toBeGreaterThanOrEqual(4);
    for (const command of commands) {
      const curl = parseCurl(words(command, variables));
      const response = await subject.app.inject({
        method: curl.method as 'GET',
        url: curl.url,
        headers: curl.headers,
        ...(curl.body === undefined ? {} : { payload: curl.body }),
      });
      expect(response.statusCode, `${command}\n→ ${response.body}`).toBeLessThan(300);
      if (curl.headers['qianbao-version']) {
        expect(response.headers['qianbao-version'], command).toBe(curl.headers['qianbao-version']);
      }
      // The key made in the first step is the $QIANBAO_KEY of the others.
      const answer = response.json<{ secret?: string }>();
      if (answer.secret) variables.QIANBAO_KEY = answer.secret;
    }
  });

  it('Errors: names every code of the public operations, each on its operation’s row', async () => {
    const document = (await subject.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<
        string,
        Record<
          string,
          { operationId?: string; security?: object[]; responses: Record<string, { description?: string }> }
        >
      >;
    }>();
    const errors = section('Errors');
    const rows = new Map(
      [...errors.matchAll(/^\| `([a-z][A-Za-z]+)` +\|(.*)\|$/gm)].map((row) => [row[1]!, row[2]!]),
    );
    const common = new Set<string>([...MERCHANT_API_CODES, ...BODY_CODES, ...IDEMPOTENCY_CODES]);
    const missing: string[] = [];
    for (const code of [...MERCHANT_API_CODES, ...BODY_CODES]) {
      if (!errors.includes(`\`${code}\``)) missing.push(code);
    }
    let operations = 0;
    for (const item of Object.values(document.paths)) {
      for (const operation of Object.values(item)) {
        if (!(operation.security ?? []).some((requirement) => 'apiKey' in requirement)) continue;
        operations += 1;
        const id = operation.operationId ?? '(no operationId)';
        const row = rows.get(id);
        if (row === undefined) {
          missing.push(`${id}: no row`);
          continue;
        }
        const own = Object.values(operation.responses)
          .flatMap((response) => listedCodes(response.description ?? ''))
          .filter((code) => !common.has(code));
        for (const code of own) if (!row.includes(`\`${code}\``)) missing.push(`${id}: ${code}`);
      }
    }
    expect(operations).toBeGreaterThanOrEqual(17);
    expect(missing).toEqual([]);
  });
});
