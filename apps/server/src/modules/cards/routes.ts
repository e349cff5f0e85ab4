import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { errorResponses } from '../../http/responses.ts';
import { listBanks } from './service.ts';
import type { CardView, CardsService } from './service.ts';

export interface CardsRoutesOptions {
  service: CardsService;
}

const TAGS = ['cards'];
const ERRORS = errorResponses(400, 401, 403, 404, 409, 422, 429, 503);

const cardFields = {
  maskedNumber: z.string().meta({ example: '6222 **** **** 7894' }),
  last4: z.string(),
  bankCode: z.string().meta({ example: 'ICBC' }),
  bankName: z.object({ zh: z.string(), en: z.string() }),
  cardType: z.enum(['debit', 'credit']),
  scheme: z.string(),
};
const cardSchema = z.object({
  id: z.string(),
  ...cardFields,
  isDefault: z.boolean(),
  boundAt: z.string(),
});

function cardJson(card: CardView): z.infer<typeof cardSchema> {
  return { ...card, boundAt: card.boundAt.toISOString() };
}

const idParams = z.object({ id: z.uuid() });

/** Holder routes of the cards module (docs/cards-and-funding.md). */
export const cardsRoutes: FastifyPluginCallbackZod<CardsRoutesOptions> = (app, options, done) => {
  const { service } = options;

  app.get(
    '/v1/banks',
    {
      schema: {
        tags: TAGS,
        summary: 'The banks money can be sent to (transfer to a bank account), with their names',
        description:
          'Codes for `bankCode` of POST /v1/me/bank-transfers. Public: the list is the same for everyone.',
        response: {
          200: z.object({
            banks: z.array(
              z.object({
                code: z.string().meta({ example: 'ICBC' }),
                name: z.object({ zh: z.string(), en: z.string() }),
              }),
            ),
          }),
        },
      },
    },
    (_request, reply) => {
      reply.header('cache-control', 'public, max-age=3600');
      return { banks: listBanks() };
    },
  );

  app.post(
    '/v1/me/cards/verification',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Start binding a debit card: the bank checks it four ways and texts its code',
          description:
            'Card number (Luhn, a debit card of a known bank) and the phone number the card holder ' +
            'registered at the bank. Needs a real-name (T1) wallet: the name and ID number come from it. ' +
            'The bank sends a 6-digit code to that phone; finish with POST /v1/me/cards.',
          body: z.object({ cardNumber: z.string().max(40), phone: z.string().max(32) }),
          response: {
            200: z.object({ verificationId: z.string(), card: z.object(cardFields), expiresAt: z.string() }),
            ...ERRORS,
          },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      const started = await service.startVerification({ userId, ...request.body });
      return { ...started, expiresAt: started.expiresAt.toISOString() };
    },
  );

  app.post(
    '/v1/me/cards',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: "Bind the card with the bank's SMS code",
          description: 'A same-name debit card lifts the wallet to T2.',
          body: z.object({ verificationId: z.uuid(), smsCode: z.string().regex(/^\d{4,8}$/) }),
          response: { 201: cardSchema, ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const { userId } = principalOf(request, 'holder');
      const card = await service.bind({ userId, ...request.body });
      return reply.code(201).send(cardJson(card));
    },
  );

  app.get(
    '/v1/me/cards',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'My bound cards, the default first',
          response: { 200: z.object({ cards: z.array(cardSchema) }), ...errorResponses(401) },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      return { cards: (await service.list(userId)).map(cardJson) };
    },
  );

  app.post(
    '/v1/me/cards/:id/default',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Make this card the default',
          params: idParams,
          response: { 200: cardSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      return cardJson(await service.setDefault({ userId, cardId: request.params.id }));
    },
  );

  app.delete(
    '/v1/me/cards/:id',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Unbind a card (refused with CARD_BUSY while a top-up or withdrawal on it is unfinished)',
          params: idParams,
          response: { 204: z.null(), ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const { userId } = principalOf(request, 'holder');
      await service.remove({ userId, cardId: request.params.id });
      return reply.code(204).send(null);
    },
  );
  done();
};
