/**
 * `qianbao new-module` on a copy of the repository's catalog and app.ts: the module's files,
 * the next free hundred, its lines at the markers, and refusals that write nothing. (The
 * generated module typechecks, lints and passes its test in the real tree: checked by hand when
 * the scaffolder changes, see modules/README.md.)
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { MODULES } from '../../server/src/modules/catalog.ts';
import { UsageError, createModule } from './new-module.ts';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
const roots: string[] = [];

/** The parts of the repository the scaffolder reads and writes, copied to a folder of its own. */
function copyOfRepository(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'qianbao-new-module-'));
  roots.push(root);
  const modules = path.join(REPOSITORY, 'apps/server/src/modules');
  for (const entry of readdirSync(modules, { withFileTypes: true })) {
    const declaration = path.join(modules, entry.name, 'module.ts');
    if (entry.isDirectory() && existsSync(declaration)) {
      cpSync(declaration, path.join(root, 'apps/server/src/modules', entry.name, 'module.ts'));
    }
  }
  cpSync(path.join(modules, 'catalog.ts'), path.join(root, 'apps/server/src/modules/catalog.ts'));
  cpSync(path.join(REPOSITORY, 'apps/server/src/app.ts'), path.join(root, 'apps/server/src/app.ts'));
  cpSync(path.join(REPOSITORY, 'docs/api/errors.md'), path.join(root, 'docs/api/errors.md'));
  return root;
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('qianbao new-module', () => {
  it('writes the module in the next free hundred, lists it in the catalog and mounts it in app.ts', async () => {
    const root = copyOfRepository();
    const result = await createModule('coupons', root);
    // The hundred after the highest any module has (merchants 13, red packets 14, splits 15 …).
    const next = Math.max(...MODULES.map((module) => module.hundred)) + 1;
    expect(result.hundred).toBe(next);
    const dir = path.join(root, 'apps/server/src/modules/coupons');
    expect(readdirSync(dir).sort()).toEqual(
      [
        'coupons.test.ts',
        'errors.ts',
        'index.ts',
        'migrations.ts',
        'module.ts',
        'routes.ts',
        'service.ts',
        'store.ts',
      ].sort(),
    );
    expect(readFileSync(path.join(dir, 'module.ts'), 'utf8')).toContain(`hundred: ${next},`);
    expect(readFileSync(path.join(dir, 'migrations.ts'), 'utf8')).toContain(`name: '${next}00_coupons_init'`);
    expect(readFileSync(path.join(dir, 'errors.ts'), 'utf8')).toContain("'COUPON_NOT_FOUND'");
    const catalog = readFileSync(path.join(root, 'apps/server/src/modules/catalog.ts'), 'utf8');
    expect(catalog).toContain("import { couponsDeclaration } from './coupons/module.ts';");
    expect(catalog).toMatch(/ {2}couponsDeclaration,\n {2}\/\/ new-module: above this line/);
    const app = readFileSync(path.join(root, 'apps/server/src/app.ts'), 'utf8');
    expect(app).toContain("import { createCouponsModule } from './modules/coupons/index.ts';");
    expect(app).toMatch(
      /const coupons = createCouponsModule\(\{ pool, now \}\);\n.*\n.*await app\.register\(coupons\.routes\);\n.*\/\/ new-module: mount here/,
    );
    expect(readFileSync(path.join(root, 'docs/api/errors.md'), 'utf8')).toContain('`COUPON_NOT_FOUND`');

    // The next one takes the next hundred.
    expect((await createModule('vouchers', root)).hundred).toBe(next + 1);
  });

  it('refuses a bad name, a name in use and a tree without its markers, writing nothing', async () => {
    const root = copyOfRepository();
    const catalogFile = path.join(root, 'apps/server/src/modules/catalog.ts');
    const before = readFileSync(catalogFile, 'utf8');
    await expect(createModule('Coupons', root)).rejects.toThrow(UsageError);
    await expect(createModule('x', root)).rejects.toThrow('lower-case');
    await expect(createModule('transfers', root)).rejects.toThrow('exists already');
    writeFileSync(catalogFile, before.replace('// new-module: above this line', ''));
    await expect(createModule('coupons', root)).rejects.toThrow(
      'has no "// new-module: above this line" line',
    );
    expect(existsSync(path.join(root, 'apps/server/src/modules/coupons'))).toBe(false);
  });
});
