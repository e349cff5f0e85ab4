import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from './config.ts';

export interface MetaOptions {
  mode: Config['mode'];
  publicUrl: string;
  version: string;
}

/** The languages the apps and every holder-facing text of the API come in. */
const LOCALES = ['zh-CN', 'en'] as const;

const metaSchema = z.object({
  mode: z.enum(['sandbox', 'production']).meta({
    description:
      '`sandbox`: built-in sandbox adapters (no SMS leaves the server, codes at /dev/sms; a sandbox bank). `production`: real adapters.',
  }),
  version: z.string().meta({ description: 'The server version.' }),
  publicUrl: z.string().meta({ description: 'Where people reach this wallet (QIANBAO_PUBLIC_URL).' }),
  locales: z.array(z.enum(LOCALES)).meta({ description: 'Languages of the interface, default first.' }),
});

/**
 * What a client needs to know about this server before anyone signs in: the web app shows where
 * sandbox SMS codes are only in sandbox mode. Nothing here is secret; no authentication.
 */
export const metaRoutes: FastifyPluginCallbackZod<MetaOptions> = (app, options, done) => {
  const meta = {
    mode: options.mode,
    version: options.version,
    publicUrl: options.publicUrl,
    locales: [...LOCALES],
  };
  app.get(
    '/v1/meta',
    {
      schema: {
        tags: ['meta'],
        summary: 'About this server: mode (sandbox or production), version, public URL, languages',
        response: { 200: metaSchema },
      },
    },
    () => meta,
  );
  done();
};
