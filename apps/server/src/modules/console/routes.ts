import type { FastifySchema } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import type { OperatorAction } from '../../auth/index.ts';
import { moneyOutput } from '../../http/money.ts';
import { errorResponses } from '../../http/responses.ts';
import type { ConsoleService } from './service.ts';

const HOLDER_TAGS = ['operator: holders'];
const LEDGER_TAGS = ['operator: ledger explorer'];
const DASHBOARD_TAGS = ['operator: dashboard'];
const ERRORS = errorResponses(400, 404);

const uuid = z.uuid();
const holderParams = z.object({ userId: uuid.meta({ description: "The holder's user id." }) });
const accountParams = z.object({ accountId: uuid });
const pageLimit = z.coerce.number().int().min(1).max(100).default(50);
const labelSchema = z.object({ 'zh-CN': z.string(), en: z.string() }).nullable();
const at = (description: string) => z.string().meta({ description: `${description} (ISO 8601).` });

const hitSchema = z.object({
  userId: z.string(),
  phone: z.string().meta({ description: 'Masked: `138****5678`.' }),
  name: z.string().nullable().meta({ description: 'The legal name, masked (`*明`); null before real name.' }),
  idNumber: z.string().nullable().meta({ description: 'Masked: `1101**********002X`.' }),
  tier: z.string(),
  createdAt: at('Registered'),
  matchedBy: z.array(z.enum(['phone', 'phoneLast4', 'idNumber', 'idLast4', 'name', 'merchant', 'userId'])),
  merchants: z.array(z.object({ id: z.string(), name: z.string() })).meta({
    description: 'The merchants that matched, when found by merchant.',
  }),
});

const noteSchema = z.object({
  id: z.string(),
  operatorId: z.string(),
  operatorName: z.string().meta({ description: 'Who wrote it, as they were called then.' }),
  text: z.string(),
  createdAt: at('Written'),
});

const accountSchema = z.object({
  id: z.string(),
  ownerRef: z.string().nullable(),
  currency: z.string(),
  code: z.number().int(),
  kind: z.string().nullable().meta({ description: "The chart's name of the account code." }),
  label: labelSchema,
  normal: z.enum(['credit', 'debit']),
  flags: z.number().int(),
  balance: moneyOutput.meta({ description: 'Posted balance on its normal side (signed).' }),
  available: moneyOutput.meta({ description: 'Posted balance less outgoing holds.' }),
  counters: z.object({
    debitsPending: z.string(),
    debitsPosted: z.string(),
    creditsPending: z.string(),
    creditsPosted: z.string(),
  }),
  createdAt: at('Opened'),
});

const transferSchema = z.object({
  id: z.string(),
  debitAccountId: z.string(),
  creditAccountId: z.string(),
  amount: moneyOutput.meta({ description: 'The amount moved.' }),
  code: z.number().int(),
  kind: z.string().nullable(),
  label: labelSchema,
  flags: z.number().int(),
  pendingId: z.string().nullable(),
  timestamp: z.string().meta({ description: 'Ledger time, µs since the epoch.' }),
  at: at('Ledger time'),
  userData: z.string().nullable(),
  limitKeys: z.array(z.string()),
});

const limitOutput = moneyOutput.nullable().meta({ description: 'Null: no limit.' });

const holderPageSchema = z.object({
  profile: z.object({
    userId: z.string(),
    phone: z.string().meta({ description: 'Masked.' }),
    createdAt: at('Registered'),
    realNameVerified: z.boolean(),
    realName: z
      .object({ name: z.string(), idNumber: z.string(), verifiedAt: z.string() })
      .nullable()
      .meta({ description: 'Masked name and ID number; the full number only by POST …/reveal.' }),
    review: z
      .object({ id: z.string(), status: z.string(), reason: z.string().nullable(), submittedAt: z.string() })
      .nullable(),
  }),
  tier: z.string(),
  limits: z.object({
    single: limitOutput,
    daily: limitOutput,
    yearly: limitOutput,
    balanceCap: limitOutput,
    mayWithdraw: z.boolean(),
    usedToday: moneyOutput.meta({ description: 'Counted toward the daily limit today (Asia/Shanghai).' }),
    usedThisYear: moneyOutput.meta({ description: 'Counted toward the yearly limit this year.' }),
  }),
  accounts: z.array(accountSchema),
  movements: z.array(
    z.object({
      id: z.string(),
      type: z.string(),
      label: z.object({ 'zh-CN': z.string(), en: z.string() }),
      direction: z.enum(['in', 'out']),
      amount: moneyOutput.meta({ description: 'The amount.' }),
      status: z.string(),
      counterparty: z.string().nullable(),
      note: z.string().nullable(),
      createdAt: z.string(),
    }),
  ),
  riskDecisions: z.array(
    z.object({
      id: z.string(),
      subject: z.string(),
      kind: z.string(),
      amount: moneyOutput.nullable().meta({ description: 'The payment judged, if any.' }),
      score: z.number(),
      decision: z.string(),
      fired: z.array(z.string()),
      at: z.string(),
    }),
  ),
  sessions: z.array(
    z.object({
      id: z.string(),
      deviceId: z.string(),
      deviceName: z.string().nullable(),
      method: z.string(),
      userAgent: z.string().nullable(),
      ipAddress: z.string().nullable(),
      place: z.string(),
      createdAt: z.string(),
      lastUsedAt: z.string(),
    }),
  ),
  devices: z.array(
    z.object({
      deviceId: z.string(),
      name: z.string().nullable(),
      trusted: z.boolean(),
      firstSeenAt: z.string(),
      lastSeenAt: z.string(),
    }),
  ),
  cards: z.array(
    z.object({
      id: z.string(),
      maskedNumber: z.string(),
      bankName: z.object({ zh: z.string(), en: z.string() }),
      cardType: z.string(),
      isDefault: z.boolean(),
      boundAt: z.string(),
    }),
  ),
  freeze: z.object({
    mode: z.enum(['none', 'full', 'receive_only']),
    source: z.string().nullable(),
    since: z.string().nullable(),
    reason: z.string().nullable(),
    history: z.array(
      z.object({
        id: z.string(),
        mode: z.string(),
        source: z.string(),
        reason: z.string(),
        setAt: z.string(),
        liftedAt: z.string().nullable(),
        liftReason: z.string().nullable(),
      }),
    ),
  }),
  notes: z.array(noteSchema),
  tickets: z
    .array(
      z.object({
        id: z.string(),
        number: z.string().meta({ description: 'The number people read out (工单号).' }),
        topic: z.string(),
        status: z.string(),
        updatedAt: z.string(),
      }),
    )
    .nullable()
    .meta({ description: "The holder's tickets (support module); null when it is not wired." }),
});

const verifySchema = z.object({
  ok: z.boolean().meta({ description: 'The books and the audit log both hold.' }),
  books: z.object({ ok: z.boolean() }),
  auditLog: z.object({
    ok: z.boolean(),
    entries: z.number().int(),
    firstBrokenSeq: z.string().nullable(),
    problemCount: z.number().int(),
  }),
  batches: z.number().int(),
  transfers: z.number().int(),
  accounts: z.number().int(),
  journal: z.object({ keyedFromSeq: z.string().nullable(), keyChecked: z.boolean() }),
  checkpoints: z
    .object({ lines: z.number().int(), authentic: z.number().int(), newestSeq: z.string().nullable() })
    .nullable(),
  trialBalance: z.array(
    z.object({
      currency: z.string(),
      debitsPosted: z.string(),
      creditsPosted: z.string(),
      debitsPending: z.string(),
      creditsPending: z.string(),
    }),
  ),
  problemsFound: z.number().int(),
  problems: z.array(z.string()),
});

const openCount = z.number().int().nullable();
const dashboardSchema = z.object({
  day: z.string().meta({ description: 'Today, Asia/Shanghai (YYYY-MM-DD).' }),
  asOf: at('Computed'),
  volume: z.array(
    z.object({
      amount: moneyOutput.meta({ description: "Today's payment volume in this currency." }),
      count: z.number().int(),
    }),
  ),
  paymentsPerMinute: z
    .array(z.object({ minute: z.string(), count: z.number().int() }))
    .meta({ description: 'The last 60 minutes, oldest first.' }),
  failures: z.array(
    z.object({
      source: z.enum(['payment', 'ledger']),
      code: z.string(),
      count: z.number().int(),
    }),
  ),
  open: z
    .object({
      riskCases: openCount,
      kycReviews: openCount,
      merchantReviews: openCount,
      tickets: openCount,
      disputes: openCount,
    })
    .meta({ description: 'Open work; null where the module does not answer yet.' }),
});

export const consoleRoutes: FastifyPluginCallbackZod<{ service: ConsoleService }> = (
  app,
  { service },
  done,
) => {
  /** A signed-in operator route needing `permission`, filed under `tags`. */
  const asOperator = <Schema extends FastifySchema>(
    permission: OperatorAction,
    tags: string[],
    schema: Schema,
  ) => signedIn(app, { principal: 'operator', permission }, { schema: { tags, ...schema } });

  // ---- holders ----------------------------------------------------------------------------

  app.get(
    '/v1/operator/holders',
    asOperator('holders:read', HOLDER_TAGS, {
      summary: 'Find holders by phone, name, ID number or merchant',
      description:
        'By phone (11 digits or the last 4), ID number (full, masked `1101**********1234`, or the last 4), ' +
        'legal name (exact), merchant (its id or part of its name: its owner), or user id. At most 20; ' +
        'ID numbers and names masked. Audited.',
      querystring: z.object({
        q: z.string().trim().min(1).max(64).meta({ description: 'What to look for.' }),
      }),
      response: { 200: z.object({ holders: z.array(hitSchema) }), ...ERRORS },
    }),
    async (request) => {
      const operator = principalOf(request, 'operator');
      return { holders: await service.searchHolders({ query: request.query.q, operatorId: operator.id }) };
    },
  );

  app.get(
    '/v1/operator/holders/:userId',
    asOperator('holders:read', HOLDER_TAGS, {
      summary:
        'A holder: profile, tier and limits, accounts, movements, risk, sessions, cards, freezes, notes',
      description: 'ID and card numbers masked. CONSOLE_HOLDER_NOT_FOUND. Audited.',
      params: holderParams,
      response: { 200: holderPageSchema, ...ERRORS },
    }),
    async (request) => {
      const operator = principalOf(request, 'operator');
      return service.holderPage({ userId: request.params.userId, operatorId: operator.id });
    },
  );

  app.get(
    '/v1/operator/holders/:userId/notes',
    asOperator('holders:read', HOLDER_TAGS, {
      summary: "Operators' notes on a holder, newest first",
      params: holderParams,
      response: { 200: z.object({ notes: z.array(noteSchema) }), ...ERRORS },
    }),
    async (request) => ({ notes: await service.notesOf(request.params.userId) }),
  );

  app.post(
    '/v1/operator/holders/:userId/notes',
    asOperator('holders:read', HOLDER_TAGS, {
      summary: 'Add a note on a holder (audited; notes are never edited)',
      params: holderParams,
      body: z.strictObject({
        text: z.string().trim().min(1).max(2000).meta({ description: 'At most 2000 characters.' }),
      }),
      response: { 201: noteSchema, ...ERRORS },
    }),
    async (request, reply) => {
      const operator = principalOf(request, 'operator');
      const note = await service.addNote({
        userId: request.params.userId,
        operatorId: operator.id,
        operatorName: operator.displayName,
        text: request.body.text,
      });
      return reply.code(201).send(note);
    },
  );

  app.post(
    '/v1/operator/holders/:userId/reveal',
    asOperator('pii:reveal', HOLDER_TAGS, {
      summary:
        "Reveal a holder's full ID number, or what is stored of a card number (audited with the reason)",
      description:
        'A full card number is never stored: for `cardNumber` the answer is the BIN and the last 4 ' +
        '(`complete: false`). The audit entry keeps the field and the reason, never the value. ' +
        'CONSOLE_NOTHING_TO_REVEAL, CONSOLE_HOLDER_NOT_FOUND.',
      params: holderParams,
      body: z
        .strictObject({
          field: z.enum(['idNumber', 'cardNumber']),
          cardId: uuid.optional().meta({ description: 'The card, for `cardNumber`.' }),
          reason: z.string().trim().min(4).max(200).meta({ description: 'Why (4 to 200 characters).' }),
        })
        .refine((body) => body.field !== 'cardNumber' || body.cardId !== undefined, {
          message: 'cardNumber needs cardId',
          path: ['cardId'],
        }),
      response: {
        200: z.object({
          field: z.enum(['idNumber', 'cardNumber']),
          value: z.string().meta({ description: 'The value; show it, never store it.' }),
          complete: z.boolean().meta({ description: 'False when only part of it is stored.' }),
        }),
        ...ERRORS,
      },
    }),
    async (request) => {
      const operator = principalOf(request, 'operator');
      return service.reveal({
        userId: request.params.userId,
        operatorId: operator.id,
        field: request.body.field,
        cardId: request.body.cardId ?? null,
        reason: request.body.reason,
      });
    },
  );

  // ---- the ledger explorer ----------------------------------------------------------------

  app.get(
    '/v1/operator/ledger/accounts',
    asOperator('ledger:read', LEDGER_TAGS, {
      summary: 'Ledger accounts by id, owner reference (`user:<id>`, `merchant:<id>`) or a holder’s phone',
      querystring: z.object({ q: z.string().trim().min(1).max(128) }),
      response: { 200: z.object({ accounts: z.array(accountSchema) }), ...ERRORS },
    }),
    async (request) => ({ accounts: await service.findAccounts(request.query.q) }),
  );

  app.get(
    '/v1/operator/ledger/accounts/:accountId',
    asOperator('ledger:read', LEDGER_TAGS, {
      summary: 'A ledger account with its counters and balance',
      params: accountParams,
      response: { 200: accountSchema, ...ERRORS },
    }),
    async (request) => service.account(request.params.accountId),
  );

  app.get(
    '/v1/operator/ledger/accounts/:accountId/transfers',
    asOperator('ledger:read', LEDGER_TAGS, {
      summary: "An account's transfers, newest first, in pages",
      params: accountParams,
      querystring: z.object({
        cursor: z.string().max(24).optional(),
        limit: pageLimit,
      }),
      response: {
        200: z.object({ transfers: z.array(transferSchema), nextCursor: z.string().nullable() }),
        ...ERRORS,
      },
    }),
    async (request) =>
      service.transfersOf({
        accountId: request.params.accountId,
        cursor: request.query.cursor ?? null,
        limit: request.query.limit,
      }),
  );

  app.get(
    '/v1/operator/ledger/transfers/:transferId',
    asOperator('ledger:read', LEDGER_TAGS, {
      summary: 'A ledger transfer',
      params: z.object({ transferId: uuid }),
      response: { 200: transferSchema, ...ERRORS },
    }),
    async (request) => service.transfer(request.params.transferId),
  );

  app.get(
    '/v1/operator/ledger/journal',
    asOperator('ledger:read', LEDGER_TAGS, {
      summary: "The journal's records (one per committed batch, hash-chained), newest first",
      querystring: z.object({
        before: z
          .string()
          .regex(/^[1-9][0-9]{0,18}$/)
          .optional()
          .meta({ description: 'Records before this sequence number (the previous page’s nextBefore).' }),
        limit: pageLimit,
      }),
      response: {
        200: z.object({
          records: z.array(
            z.object({
              seq: z.string(),
              prevHash: z.string(),
              hash: z.string(),
              firstTs: z.string(),
              lastTs: z.string(),
              transferCount: z.number().int(),
              committedAt: z.string(),
            }),
          ),
          nextBefore: z.string().nullable(),
        }),
        ...ERRORS,
      },
    }),
    async (request) =>
      service.journal({
        beforeSeq: request.query.before ? BigInt(request.query.before) : null,
        limit: request.query.limit,
      }),
  );

  app.post(
    '/v1/operator/ledger/verify',
    asOperator('ledger:read', LEDGER_TAGS, {
      summary: 'Verify the books: the same check as `npx qianbao verify` (audited)',
      description:
        'The journal chain (keyed), its checkpoints, every account against its transfers, the limit ' +
        'counters, the trial balance, and the operator audit log’s chain. Requests made while one runs ' +
        'share its answer.',
      response: { 200: verifySchema, ...ERRORS },
    }),
    async (request) => service.verifyBooks(principalOf(request, 'operator').id),
  );

  // ---- the dashboard ----------------------------------------------------------------------

  app.get(
    '/v1/operator/dashboard',
    asOperator('dashboard:read', DASHBOARD_TAGS, {
      summary: "Today's volume, payments per minute, failures by code, open cases and tickets",
      response: { 200: dashboardSchema, ...ERRORS },
    }),
    async () => service.dashboard(),
  );

  done();
};
