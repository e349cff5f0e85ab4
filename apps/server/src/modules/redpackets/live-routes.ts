/** `GET /v1/me/red-packets/:id/stream`: a sent packet's claims as they happen (live.ts). */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { errorResponses } from '../../http/responses.ts';
import { serveLiveStream } from '../notifications/index.ts';
import type { LiveNotifications } from '../notifications/index.ts';
import { redPacketLiveKey } from './live.ts';
import type { RedPacketsService } from './service.ts';

export interface RedPacketLiveRoutesOptions {
  service: Pick<RedPacketsService, 'getSent'>;
  live: Pick<LiveNotifications, 'subscribe'>;
  heartbeatMs: number;
}

export const redPacketLiveRoutes: FastifyPluginCallbackZod<RedPacketLiveRoutesOptions> = (
  app,
  options,
  done,
) => {
  app.get(
    '/v1/me/red-packets/:id/stream',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: ['red packets'],
          summary: "My sent packet's claims as they happen (server-sent events)",
          description:
            'text/event-stream, for the packet’s sender only (anyone else: 404 RED_PACKET_NOT_FOUND). Events: ' +
            '`ready` {}, then `claim` {type: claimed, claimer, amount, last} for each claim and {type: refunded} ' +
            'when what was left went back. A push, not a record: read the packet again on each. Every heartbeat ' +
            'the session is checked again.',
          params: z.object({ id: z.string().min(1).max(64).meta({ description: "The packet's id." }) }),
          response: errorResponses(404, 429),
        },
      },
    ),
    async (request, reply) => {
      const { userId } = principalOf(request, 'holder');
      // Only the sender follows a packet: the same check as reading it.
      const packet = await options.service.getSent({ id: request.params.id, senderUserId: userId });
      return serveLiveStream(reply, {
        live: options.live,
        key: redPacketLiveKey(packet.id),
        heartbeatMs: options.heartbeatMs,
        ready: {},
        toEvent: (push) => ({ event: 'claim', data: push.params }),
        stillAllowed: () => app.authenticators.holder(request),
        tooMany: 'Too many open streams for this packet.',
      });
    },
  );
  done();
};
