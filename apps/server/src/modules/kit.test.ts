/**
 * The module kit: a declaration is checked on its own and in the catalog, and core's tables —
 * errors, migrations, job queues, settings — are exactly the modules' declarations.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { ERRORS } from '../errors.ts';
import { allJobQueues, allMigrations } from '../migrations.ts';
import { MODULES, RESERVED_HUNDREDS } from './catalog.ts';
import { checkCatalog, defineModule, wholeNumber } from './kit.ts';

const migration = (name: string) => ({ name, sql: 'SELECT 1' });

describe('a module declaration', () => {
  it('is refused with a name, a hundred, a migration number or a variable out of shape', () => {
    const base = { name: 'things', hundred: 12, migrations: [migration('1200_things_init')], errors: {} };
    expect(defineModule(base).name).toBe('things');
    expect(() => defineModule({ ...base, name: 'Things' })).toThrow('is not lower-case');
    expect(() => defineModule({ ...base, hundred: 0 })).toThrow('is not 1…99');
    expect(() => defineModule({ ...base, migrations: [migration('0800_things_init')] })).toThrow(
      'is not numbered 12xx_',
    );
    expect(() =>
      defineModule({
        ...base,
        settings: { variables: { thingsLimit: wholeNumber({ min: 1, max: 9, fallback: 1 }) }, read: () => 1 },
      }),
    ).toThrow('is not UPPER_CASE');
  });

  it('is refused by the catalog when its name, hundred or a variable is already taken', () => {
    const a = defineModule({ name: 'alpha', hundred: 12, migrations: [], errors: {} });
    expect(() => checkCatalog([a, a], [])).toThrow('listed twice');
    expect(() => checkCatalog([a, { ...a, name: 'beta' }], [])).toThrow('hundred 12 is taken');
    expect(() => checkCatalog([{ ...a, hundred: 9 }], RESERVED_HUNDREDS)).toThrow('hundred 9 is taken');
    const settings = {
      variables: { SHARED_LIMIT: wholeNumber({ min: 1, max: 9, fallback: 1 }) },
      read: () => 1,
    };
    expect(() =>
      checkCatalog(
        [
          { ...a, settings },
          { ...a, name: 'beta', hundred: 13, settings },
        ],
        [],
      ),
    ).toThrow('variable SHARED_LIMIT is declared twice');
  });
});

describe('core, derived from the catalog', () => {
  it('has every module migration once, in the catalog order, each in its hundred', () => {
    const names = allMigrations.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    const fromModules = MODULES.flatMap((module) => module.migrations.map((m) => m.name));
    expect(names.filter((name) => fromModules.includes(name))).toEqual(fromModules);
    for (const module of MODULES) {
      for (const m of module.migrations)
        expect(m.name.slice(0, 2)).toBe(String(module.hundred).padStart(2, '0'));
    }
  });

  it("has every module's error codes and job queues", () => {
    for (const module of MODULES) {
      for (const [code, mapping] of Object.entries(module.errors))
        expect(ERRORS).toHaveProperty(code, mapping);
      for (const queue of module.jobQueues ?? []) expect(allJobQueues).toContain(queue);
    }
    expect(allJobQueues).toEqual(
      expect.arrayContaining(['identity.sweep', 'funding.recover', 'outbox.notifications.inbox']),
    );
  });

  it("reads each module's settings from its variables, refusing bad values by name", () => {
    expect(loadConfig({ KYC_VERIFICATION_ATTEMPTS_PER_DAY: '2' }).modules.kyc).toEqual({
      verificationAttemptsPerDay: 2,
    });
    expect(() => loadConfig({ KYC_VERIFICATION_ATTEMPTS_PER_DAY: '0' })).toThrow(
      'KYC_VERIFICATION_ATTEMPTS_PER_DAY: must be a whole number from 1 to 100',
    );
  });
});
