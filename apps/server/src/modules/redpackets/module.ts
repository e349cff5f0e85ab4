/** The red-packets module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { dispatchJobName } from '../../outbox/index.ts';
import { defineModule, wholeNumber } from '../kit.ts';
import { RED_PACKET_LIVE_SUBSCRIBER } from './live.ts';
import { RED_PACKETS_ERRORS } from './errors.ts';
import { redPacketsMigrations } from './migrations.ts';

/** The module's job queues (jobs.ts defines the jobs). */
export const RED_PACKET_JOBS = {
  expire: 'redpackets.expire',
  recover: 'redpackets.recover',
} as const;

export const redPacketsDeclaration = defineModule({
  name: 'redpackets',
  hundred: 14,
  migrations: redPacketsMigrations,
  errors: RED_PACKETS_ERRORS,
  jobQueues: [...Object.values(RED_PACKET_JOBS), dispatchJobName(RED_PACKET_LIVE_SUBSCRIBER)],
  settings: {
    variables: {
      // domain-rules §4: at most ¥200 a share, 100 shares, unclaimed money back after 24 hours.
      RED_PACKET_MAX_SHARE_MINOR: wholeNumber({ min: 1, max: 100_000_000, fallback: 20_000 }),
      RED_PACKET_MAX_SHARES: wholeNumber({ min: 1, max: 1000, fallback: 100 }),
      RED_PACKET_EXPIRY_HOURS: wholeNumber({ min: 1, max: 168, fallback: 24 }),
    },
    read: (values) => ({
      maxShareMinor: BigInt(values.RED_PACKET_MAX_SHARE_MINOR),
      maxShares: values.RED_PACKET_MAX_SHARES,
      expiryHours: values.RED_PACKET_EXPIRY_HOURS,
    }),
  },
});

export type RedPacketsSettings = {
  maxShareMinor: bigint;
  maxShares: number;
  expiryHours: number;
};
