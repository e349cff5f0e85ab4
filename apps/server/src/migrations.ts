import type { Migration } from '@qianbao/db';
import { ledgerMigrations } from '@qianbao/ledger';

/** Every module's migrations, in one ordered list; each module owns its own tables. */
export const allMigrations: Migration[] = [...ledgerMigrations];
