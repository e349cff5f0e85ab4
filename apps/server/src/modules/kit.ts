/**
 * The module kit: what a module declares about itself, once, in `modules/<name>/module.ts`, and
 * what core derives from it (modules/README.md). The declaration is static — tables, codes,
 * settings, queues — so that the server's error table (errors.ts), its schema (migrations.ts)
 * and its configuration (config.ts) are built from the list in `catalog.ts` without anyone
 * editing them. The service, routes, jobs and subscribers, which need other modules' services,
 * are made by the module's `create<Name>Module(deps)` and mounted in app.ts (`mountModule`).
 *
 * A declaration imports nothing that runs: its migrations, its error table, its job names and
 * zod. (errors.ts and config.ts import the catalog; a declaration that imported a service would
 * import them back.)
 */
import type { Migration } from '@qianbao/db';
import { z } from 'zod';
import type { ErrorMapping } from '../errors.ts';
import type { SealedPlace } from '../crypto/sealed-places.ts';

/** `name` is lower-case letters and digits; its tables are `<name>_*`, its events `<name>.*`. */
const NAME_PATTERN = /^[a-z][a-z0-9]{1,30}$/;
/** Environment variables are upper-case: `KYC_VERIFICATION_ATTEMPTS_PER_DAY`. */
const VARIABLE_PATTERN = /^[A-Z][A-Z0-9_]{2,62}$/;

/** A module's settings: its environment variables (strings in, parsed by zod) and its section. */
export interface ModuleSettings<Variables extends z.ZodRawShape, Section> {
  /** Each variable with its bounds and default; documented in README.md's configuration table. */
  variables: Variables;
  /** The typed section of `config.modules.<name>`, from the parsed variables. */
  read(values: z.output<z.ZodObject<Variables>>): Section;
}

export interface ModuleDeclaration<
  Name extends string = string,
  Codes extends string = string,
  Variables extends z.ZodRawShape = z.ZodRawShape,
  Section = unknown,
> {
  name: Name;
  /** Its hundred of migration numbers: module 8 names its migrations `08xx_<name>_<what>`. */
  hundred: number;
  migrations: readonly Migration[];
  /** Its error codes with status and message; each has a row in docs/api/errors.md. */
  errors: Readonly<Record<Codes, ErrorMapping>>;
  settings?: ModuleSettings<Variables, Section>;
  /** The queues of its jobs and of its subscribers' dispatchers (`qianbao migrate` makes them). */
  jobQueues?: readonly string[];
  /**
   * Where its tables keep values sealed with the data key (SecretBox): `qianbao secrets reseal`
   * seals them again after a key rotation (ADR 0029). A sealed column missing here keeps the old
   * key in use; the places test finds it.
   */
  sealed?: readonly SealedPlace[];
}

/** Declare a module. Checks what can be checked without the others (catalog.ts checks the rest). */
export function defineModule<
  const Name extends string,
  const Codes extends string,
  Variables extends z.ZodRawShape = Record<never, never>,
  Section = undefined,
>(
  declaration: ModuleDeclaration<Name, Codes, Variables, Section>,
): ModuleDeclaration<Name, Codes, Variables, Section> &
  (undefined extends Section ? unknown : { settings: ModuleSettings<Variables, Section> }) {
  const { name, hundred } = declaration;
  if (!NAME_PATTERN.test(name))
    throw new Error(`module name ${JSON.stringify(name)} is not lower-case letters`);
  if (!Number.isInteger(hundred) || hundred < 1 || hundred > 99) {
    throw new Error(`module ${name}: hundred ${hundred} is not 1…99`);
  }
  const prefix = String(hundred).padStart(2, '0');
  for (const migration of declaration.migrations) {
    if (!new RegExp(`^${prefix}\\d\\d_[a-z0-9_]+$`).test(migration.name)) {
      throw new Error(`module ${name}: migration ${migration.name} is not numbered ${prefix}xx_…`);
    }
  }
  for (const variable of Object.keys(declaration.settings?.variables ?? {})) {
    if (!VARIABLE_PATTERN.test(variable))
      throw new Error(`module ${name}: variable ${variable} is not UPPER_CASE`);
  }
  return declaration as ModuleDeclaration<Name, Codes, Variables, Section> &
    (undefined extends Section ? unknown : { settings: ModuleSettings<Variables, Section> });
}

/** A whole number setting from the environment, as config.ts reads its own. */
export function wholeNumber(options: { min: number; max: number; fallback: number }) {
  const message = `must be a whole number from ${options.min} to ${options.max}`;
  return z
    .string()
    .regex(/^\d{1,10}$/, message)
    .transform(Number)
    .pipe(z.number().min(options.min, message).max(options.max, message))
    .default(options.fallback);
}

/** A setting that is one of a few words (`on` / `off` …), as config.ts reads its own. */
export function oneOf<const Values extends readonly [string, ...string[]]>(
  values: Values,
  fallback: Values[number],
) {
  return z.enum(values, { message: `must be one of ${values.join(', ')}` }).default(fallback);
}

type AnyDeclaration = ModuleDeclaration<string, string, z.ZodRawShape, unknown>;

/** The error codes of a list of modules. */
export type ModuleErrorCode<Modules extends readonly AnyDeclaration[]> = {
  [I in keyof Modules]: Modules[I] extends ModuleDeclaration<string, infer Codes> ? Codes : never;
}[number];

/** `config.modules`: each module with settings, by name. */
export type ModuleSections<Modules extends readonly AnyDeclaration[]> = {
  [
    M in Modules[number] as M extends { settings: ModuleSettings<z.ZodRawShape, unknown> } ? M['name'] : never
  ]: M extends { settings: ModuleSettings<z.ZodRawShape, infer Section> } ? Section : never;
};

/** Checks across the list: names, hundreds and variables used once. */
export function checkCatalog(modules: readonly AnyDeclaration[], reservedHundreds: readonly number[]): void {
  const names = new Set<string>();
  const hundreds = new Set<number>(reservedHundreds);
  const variables = new Set<string>();
  for (const module of modules) {
    if (names.has(module.name)) throw new Error(`module ${module.name} is listed twice`);
    names.add(module.name);
    if (hundreds.has(module.hundred))
      throw new Error(`module ${module.name}: hundred ${module.hundred} is taken`);
    hundreds.add(module.hundred);
    for (const variable of Object.keys(module.settings?.variables ?? {})) {
      if (variables.has(variable)) throw new Error(`variable ${variable} is declared twice`);
      variables.add(variable);
    }
  }
}
