/**
 * `qianbao new-module <name>`: a new server module, ready to grow (apps/server/src/modules/README.md).
 *
 * Writes `apps/server/src/modules/<name>/` — its declaration (module.ts: the next free hundred of
 * migrations, its error codes), a first table, store, service, two holder routes and a test that
 * passes — lists it in modules/catalog.ts, mounts it in app.ts at the `new-module:` markers, and
 * adds its codes to docs/api/errors.md. Core derives the rest (errors, migrations, job queues,
 * settings). Refuses a name in use and a tree without the markers, before writing anything.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Prettier from 'prettier';
import type { ExitCode } from './commands.ts';

const NAME_PATTERN = /^[a-z][a-z0-9]{1,30}$/;
const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
const MARKERS = {
  catalogImports: '// new-module: imports',
  catalogList: '// new-module: above this line',
  appImports: '// new-module: imports',
  appMount: '// new-module: mount here',
} as const;

export interface NewModuleResult {
  name: string;
  hundred: number;
  files: string[];
}

/** The module's names in each case: `things` → `Things`, `THINGS`, singular `thing` … */
function namesOf(name: string) {
  const singular = name.endsWith('s') ? name.slice(0, -1) : name;
  const pascal = name[0]!.toUpperCase() + name.slice(1);
  return {
    name,
    Name: pascal,
    NAME: name.toUpperCase(),
    thing: singular,
    Thing: singular[0]!.toUpperCase() + singular.slice(1),
    THING: singular.toUpperCase(),
  };
}

/** The next hundred after every module's (module.ts files) and the reserved ones (00 core, 09 adapters). */
function nextHundred(modulesDir: string): number {
  let highest = 10;
  for (const entry of readdirSync(modulesDir, { withFileTypes: true })) {
    const file = path.join(modulesDir, entry.name, 'module.ts');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const match = /\bhundred:\s*(\d+)/.exec(readFileSync(file, 'utf8'));
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return highest + 1;
}

export async function createModule(name: string, root = REPOSITORY): Promise<NewModuleResult> {
  if (!NAME_PATTERN.test(name)) {
    throw new UsageError(
      `module name "${name}" must be 2–31 lower-case letters and digits, starting with a letter`,
    );
  }
  const server = path.join(root, 'apps/server/src');
  const modulesDir = path.join(server, 'modules');
  const dir = path.join(modulesDir, name);
  if (existsSync(dir)) throw new UsageError(`apps/server/src/modules/${name} exists already`);
  const catalogFile = path.join(modulesDir, 'catalog.ts');
  const appFile = path.join(server, 'app.ts');
  const errorsDoc = path.join(root, 'docs/api/errors.md');
  const catalog = readFileSync(catalogFile, 'utf8');
  const app = readFileSync(appFile, 'utf8');
  for (const [file, text, markers] of [
    ['modules/catalog.ts', catalog, [MARKERS.catalogImports, MARKERS.catalogList]],
    ['app.ts', app, [MARKERS.appImports, MARKERS.appMount]],
  ] as const) {
    for (const marker of markers) {
      if (!text.includes(marker)) throw new UsageError(`apps/server/src/${file} has no "${marker}" line`);
    }
  }
  const hundred = nextHundred(modulesDir);
  const n = namesOf(name);
  const files = templates(n, String(hundred).padStart(2, '0'), hundred);

  mkdirSync(dir);
  const written: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    writeFileSync(path.join(dir, file), text);
    written.push(`apps/server/src/modules/${name}/${file}`);
  }
  writeFileSync(
    catalogFile,
    insertBefore(
      insertBefore(
        catalog,
        MARKERS.catalogImports,
        `import { ${name}Declaration } from './${name}/module.ts';`,
      ),
      MARKERS.catalogList,
      `  ${name}Declaration,`,
    ),
  );
  writeFileSync(
    appFile,
    insertBefore(
      insertBefore(
        app,
        MARKERS.appImports,
        `import { create${n.Name}Module } from './modules/${name}/index.ts';`,
      ),
      MARKERS.appMount,
      [
        `  const ${name} = create${n.Name}Module({ pool, now });`,
        `  jobs.register(...${name}.jobs);`,
        `  await app.register(${name}.routes);`,
      ].join('\n'),
    ),
  );
  if (existsSync(errorsDoc)) {
    writeFileSync(
      errorsDoc,
      `${readFileSync(errorsDoc, 'utf8').trimEnd()}\n\n## ${n.Name}\n\n| code | status | meaning |\n| --- | --- | --- |\n` +
        `| \`${n.THING}_NOT_FOUND\` | 404 | No such ${n.thing} of the caller's. |\n`,
    );
  }
  const changed = [...written, 'apps/server/src/modules/catalog.ts', 'apps/server/src/app.ts'];
  if (existsSync(errorsDoc)) changed.push('docs/api/errors.md');
  await formatFiles(changed.map((file) => path.join(root, file)));
  return { name, hundred, files: changed };
}

/** Lay the files out as the repository does (Prettier, a dev dependency); left as written without it. */
async function formatFiles(files: readonly string[]): Promise<void> {
  let prettier: typeof Prettier;
  try {
    prettier = await import('prettier');
  } catch {
    return;
  }
  // The repository's settings, also for a tree elsewhere (the tests write into a copy).
  const options = (await prettier.resolveConfig(path.join(REPOSITORY, 'apps/server/src/app.ts'))) ?? {};
  for (const file of files) {
    writeFileSync(file, await prettier.format(readFileSync(file, 'utf8'), { ...options, filepath: file }));
  }
}

/** Insert `line` on its own line before the (indented) line holding `marker`. */
function insertBefore(text: string, marker: string, line: string): string {
  const at = text.lastIndexOf('\n', text.indexOf(marker)) + 1;
  return `${text.slice(0, at)}${line}\n${text.slice(at)}`;
}

export class UsageError extends Error {}

export async function newModuleCommand(args: readonly string[]): Promise<ExitCode> {
  const [name, ...extra] = args;
  if (name === undefined || name.startsWith('-') || extra.length > 0) {
    console.error('qianbao new-module: give the module\'s name, e.g. "qianbao new-module coupons"');
    return 2;
  }
  try {
    const result = await createModule(name);
    console.log(
      `Module ${result.name} (migrations ${String(result.hundred).padStart(2, '0')}xx):\n` +
        result.files.map((file) => `  ${file}`).join('\n') +
        `\nNext: npm test -- apps/server/src/modules/${result.name}; then read apps/server/src/modules/README.md.`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`qianbao new-module: ${error.message}`);
    return 2;
  }
}

/** The files of a new module; `things` is the example the names are made from. */
function templates(n: ReturnType<typeof namesOf>, prefix: string, hundred: number): Record<string, string> {
  return {
    'module.ts': `/** The ${n.name} module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { defineModule } from '../kit.ts';
import { ${n.NAME}_ERRORS } from './errors.ts';
import { ${n.name}Migrations } from './migrations.ts';

export const ${n.name}Declaration = defineModule({
  name: '${n.name}',
  hundred: ${hundred},
  migrations: ${n.name}Migrations,
  errors: ${n.NAME}_ERRORS,
  // settings: { variables: { ${n.NAME}_LIMIT: wholeNumber({ min: 1, max: 100, fallback: 10 }) }, read: (v) => ({ limit: v.${n.NAME}_LIMIT }) },
  // jobQueues: Object.values(${n.NAME}_JOBS),
});
`,
    'migrations.ts': `import type { Migration } from '@qianbao/db';

/** The ${n.name} module's tables (\`${n.name}_*\`). Never edit a released migration: add the next. */
export const ${n.name}Migrations: Migration[] = [
  {
    name: '${prefix}00_${n.name}_init',
    sql: \`
CREATE TABLE ${n.name}_${n.name} (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  note text NOT NULL CHECK (length(note) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL
);
CREATE INDEX ${n.name}_${n.name}_user ON ${n.name}_${n.name} (user_id, created_at DESC);
\`,
  },
];
`,
    'errors.ts': `import type { ErrorMapping } from '../../errors.ts';

/** The ${n.name} module's error codes; each has a row in docs/api/errors.md. */
export type ${n.Name}ErrorCode = '${n.THING}_NOT_FOUND';

export const ${n.NAME}_ERRORS: Record<${n.Name}ErrorCode, ErrorMapping> = {
  ${n.THING}_NOT_FOUND: { status: 404, message: 'No such ${n.thing}.' },
};
`,
    'store.ts': `import type pg from 'pg';

export interface ${n.Thing}Row {
  id: string;
  user_id: string;
  note: string;
  created_at: Date;
}

/** SQL of the \`${n.name}_*\` tables; only this module's service calls it. */
export class ${n.Name}Store {
  constructor(private readonly pool: pg.Pool) {}

  async insert(row: ${n.Thing}Row): Promise<${n.Thing}Row> {
    const { rows } = await this.pool.query<${n.Thing}Row>(
      'INSERT INTO ${n.name}_${n.name} (id, user_id, note, created_at) VALUES ($1, $2, $3, $4) RETURNING *',
      [row.id, row.user_id, row.note, row.created_at],
    );
    return rows[0]!;
  }

  async get(id: string, userId: string): Promise<${n.Thing}Row | null> {
    const { rows } = await this.pool.query<${n.Thing}Row>(
      'SELECT * FROM ${n.name}_${n.name} WHERE id = $1 AND user_id = $2',
      [id, userId],
    );
    return rows[0] ?? null;
  }
}
`,
    'service.ts': `import { isUuid, newId } from '@qianbao/ledger';
import { AppError } from '../../errors.ts';
import type { ${n.Name}Store } from './store.ts';

export interface ${n.Thing}View {
  id: string;
  note: string;
  createdAt: Date;
}

/** The ${n.name} module's rules; no HTTP here. Time comes from \`now\`, so tests can move it. */
export class ${n.Name}Service {
  constructor(private readonly deps: { store: ${n.Name}Store; now: () => Date }) {}

  async create(input: { userId: string; note: string }): Promise<${n.Thing}View> {
    const row = await this.deps.store.insert({
      id: newId(),
      user_id: input.userId,
      note: input.note,
      created_at: this.deps.now(),
    });
    return { id: row.id, note: row.note, createdAt: row.created_at };
  }

  async get(input: { userId: string; id: string }): Promise<${n.Thing}View> {
    const row = isUuid(input.id) ? await this.deps.store.get(input.id, input.userId) : null;
    if (!row) throw new AppError('${n.THING}_NOT_FOUND');
    return { id: row.id, note: row.note, createdAt: row.created_at };
  }
}
`,
    'routes.ts': `import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { errorResponses } from '../../http/responses.ts';
import type { ${n.Thing}View, ${n.Name}Service } from './service.ts';

const TAGS = ['${n.name}'];
const ERRORS = errorResponses(400, 404);

const ${n.thing}Schema = z.object({
  id: z.string().meta({ description: 'The ${n.thing} id.' }),
  note: z.string().meta({ description: 'What the holder wrote.' }),
  createdAt: z.string().meta({ description: 'When it was made (ISO 8601).' }),
});

const json = (view: ${n.Thing}View) => ({ id: view.id, note: view.note, createdAt: view.createdAt.toISOString() });

export const ${n.name}Routes: FastifyPluginCallbackZod<{ service: ${n.Name}Service }> = (app, { service }, done) => {
  app.post(
    '/v1/me/${n.name}',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Make a ${n.thing}',
          body: z.strictObject({ note: z.string().trim().min(1).max(200).meta({ description: 'At most 200 characters.' }) }),
          response: { 201: ${n.thing}Schema, ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const { userId } = principalOf(request, 'holder');
      return reply.code(201).send(json(await service.create({ userId, note: request.body.note })));
    },
  );

  app.get(
    '/v1/me/${n.name}/:id',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'One of my ${n.name}',
          params: z.object({ id: z.string().max(64).meta({ description: 'The ${n.thing} id.' }) }),
          response: { 200: ${n.thing}Schema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      return json(await service.get({ userId, id: request.params.id }));
    },
  );

  done();
};
`,
    'index.ts': `/**
 * The ${n.name} module: made by app.ts with what it needs (\`create${n.Name}Module\`); declared in
 * module.ts. Other modules use its service, never its tables.
 */
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import type { JobDefinition } from '../../jobs/index.ts';
import { ${n.name}Routes } from './routes.ts';
import { ${n.Name}Service } from './service.ts';
import { ${n.Name}Store } from './store.ts';

export { ${n.Name}Service } from './service.ts';

export function create${n.Name}Module(deps: { pool: pg.Pool; now: () => Date }) {
  const service = new ${n.Name}Service({ store: new ${n.Name}Store(deps.pool), now: deps.now });
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(${n.name}Routes, { service });
  };
  const jobs: JobDefinition[] = [];
  return { service, routes, jobs };
}
`,
    [`${n.name}.test.ts`]: `import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../testing.ts';
import type { TestApp } from '../../testing.ts';
import { registerHolder } from '../identity/testing.ts';

let subject: TestApp;
beforeAll(async () => (subject = await createTestApp()));
afterAll(async () => subject.close());

describe('${n.name}', () => {
  it('a holder makes a ${n.thing} and reads it back; another holder cannot', async () => {
    const holder = await registerHolder(subject.app);
    const other = await registerHolder(subject.app);
    const made = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/${n.name}',
      headers: holder.headers,
      payload: { note: 'first' },
    });
    expect(made.statusCode, made.body).toBe(201);
    const { id } = made.json<{ id: string }>();
    const read = await subject.app.inject({ method: 'GET', url: \`/v1/me/${n.name}/\${id}\`, headers: holder.headers });
    expect(read.json()).toMatchObject({ id, note: 'first' });
    const theirs = await subject.app.inject({ method: 'GET', url: \`/v1/me/${n.name}/\${id}\`, headers: other.headers });
    expect(theirs.json()).toMatchObject({ error: { code: '${n.THING}_NOT_FOUND' } });
  });
});
`,
  };
}
