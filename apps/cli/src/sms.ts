import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { listSandboxMessages, normalizePhone, openDatabase } from '@qianbao/server';
import type { Config, SandboxMessage } from '@qianbao/server';

const USAGE = `Usage: qianbao sms tail [--phone NUMBER] [--limit N] [--follow]

Prints the newest text messages of the sandbox SMS outbox (oldest of them first), e.g. the
6-digit code to finish a sign-up without a phone. --follow keeps printing new ones until Ctrl-C.
Sandbox mode only; the same messages are at http://localhost:8080/dev/sms.`;

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 500;
const POLL_INTERVAL_MS = 1000;
const UNDEFINED_TABLE = '42P01';

export async function smsCommand(args: readonly string[], config: Config): Promise<0 | 1 | 2> {
  const [subcommand, ...rest] = args;
  if (subcommand !== 'tail')
    return usage(subcommand === undefined ? null : `unknown sms command "${subcommand}"`);
  let values: { phone?: string; limit?: string; follow?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        phone: { type: 'string' },
        limit: { type: 'string' },
        follow: { type: 'boolean', short: 'f' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return usage((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const phone = values.phone === undefined ? null : normalizePhone(values.phone);
  if (values.phone !== undefined && phone === null)
    return usage(`--phone ${values.phone} is not a mainland mobile number`);
  const limit = values.limit === undefined ? DEFAULT_LIMIT : Number(values.limit);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return usage(`--limit must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  if (config.mode !== 'sandbox') {
    console.error(
      'The SMS outbox exists in sandbox mode only (QIANBAO_MODE=sandbox); production sends real texts.',
    );
    return 2;
  }

  const database = await openDatabase({
    config,
    print: (line) => process.stderr.write(`${line}\n`),
    whenEmbeddedRunning: 'connect',
  });
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    let messages = (await listSandboxMessages(database.pool, { phone, limit })).reverse();
    if (messages.length === 0 && !values.follow) console.error('No messages yet.');
    print(messages);
    let last = messages.at(-1) ?? null;
    while (values.follow && !stop.signal.aborted) {
      await sleep(POLL_INTERVAL_MS, undefined, { signal: stop.signal }).catch(() => {});
      if (stop.signal.aborted) break;
      messages = (
        await listSandboxMessages(database.pool, { phone, limit: MAX_LIMIT, after: last })
      ).reverse();
      print(messages);
      last = messages.at(-1) ?? last;
    }
    return 0;
  } catch (error) {
    if ((error as { code?: string }).code !== UNDEFINED_TABLE) throw error;
    console.error('This database has no SMS outbox yet: run `qianbao migrate` (or `qianbao start`) first.');
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await database.close();
  }
}

function print(messages: readonly SandboxMessage[]): void {
  for (const message of messages) {
    const time = message.createdAt.toISOString().replace('T', ' ').slice(0, 19);
    console.log(`${time}  ${message.phone}  ${message.code ?? '      '}  ${message.text}`);
  }
}

function usage(problem: string | null): 2 {
  console.error(problem ? `qianbao sms: ${problem}\n\n${USAGE}` : USAGE);
  return 2;
}
