import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import { z } from 'zod';
import { errorResponses } from '../../http/responses.ts';
import { normalizePhone } from '../../modules/identity/phone.ts';
import { listSandboxMessages } from './sandbox.ts';
import type { SandboxMessage } from './sandbox.ts';

export interface SandboxSmsRoutesOptions {
  pool: pg.Pool;
}

const TAGS = ['sandbox (development only)'];
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

const querySchema = z.object({
  phone: z.string().max(32).optional().meta({ description: 'Only messages to this number (+86 allowed).' }),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
});

const messageSchema = z.object({
  id: z.string(),
  phone: z.string(),
  text: z.string(),
  code: z.string().nullable().meta({ description: 'The 6-digit code in the text, if any.' }),
  createdAt: z.string(),
});

/**
 * The sandbox SMS outbox for developers: `/dev/sms` (a page, newest first) and `/dev/sms.json`.
 * Registered only in sandbox mode; in production these routes do not exist.
 */
export const sandboxSmsRoutes: FastifyPluginCallbackZod<SandboxSmsRoutesOptions> = (app, { pool }, done) => {
  async function read(query: z.infer<typeof querySchema>): Promise<SandboxMessage[]> {
    // A filter that is not a mobile number matches nothing rather than everything.
    const phone = query.phone === undefined ? null : (normalizePhone(query.phone) ?? 'none');
    return listSandboxMessages(pool, { phone, limit: query.limit });
  }

  app.get(
    '/dev/sms.json',
    {
      schema: {
        tags: TAGS,
        summary: 'Messages in the sandbox SMS outbox, newest first',
        querystring: querySchema,
        response: { 200: z.object({ messages: z.array(messageSchema) }), ...errorResponses(400) },
      },
    },
    async (request) => ({
      messages: (await read(request.query)).map((message) => ({
        ...message,
        createdAt: message.createdAt.toISOString(),
      })),
    }),
  );

  app.get(
    '/dev/sms',
    {
      schema: {
        tags: TAGS,
        summary: 'The sandbox SMS outbox as a web page (refreshes itself)',
        querystring: querySchema,
      },
    },
    async (request, reply) => {
      const messages = await read(request.query);
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .send(renderPage(messages, request.query.phone ?? ''));
    },
  );
  done();
};

function renderPage(messages: readonly SandboxMessage[], phone: string): string {
  const rows = messages
    .map(
      (message) => `<tr>
  <td class="time">${escapeHtml(message.createdAt.toISOString().replace('T', ' ').slice(0, 19))}</td>
  <td>${escapeHtml(message.phone)}</td>
  <td class="code">${escapeHtml(message.code ?? '')}</td>
  <td>${escapeHtml(message.text)}</td>
</tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="5">
<title>Sandbox SMS outbox · 短信沙箱</title>
<style>
  body { font: 14px/1.5 system-ui, sans-serif; margin: 1.5rem; color: #222; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
  .code { font: 600 1.2rem ui-monospace, monospace; letter-spacing: .1em; color: #c0392b; }
  .time { white-space: nowrap; color: #666; }
  p.note { color: #666; }
</style>
</head>
<body>
<h1>Sandbox SMS outbox · 短信沙箱</h1>
<p class="note">Sandbox mode: text messages are kept here instead of being sent. Newest first; the page refreshes every 5 seconds.
Also: <code>npx qianbao sms tail --follow</code>, or <a href="/dev/sms.json">/dev/sms.json</a>.</p>
<form method="get"><label>Phone <input name="phone" value="${escapeHtml(phone)}" placeholder="13800138000"></label> <button>Filter</button></form>
<table>
<thead><tr><th>UTC time</th><th>Phone</th><th>Code</th><th>Text</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="4">No messages yet.</td></tr>'}
</tbody>
</table>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (character) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character] ?? character,
  );
}
