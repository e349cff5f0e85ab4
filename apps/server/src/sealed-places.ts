/**
 * Every place a value sealed with a data key is stored (ADR 0029): the modules' (their
 * declarations' `sealed`, in catalog order) and the sandbox bank's. `qianbao secrets status`
 * counts them by key; `qianbao secrets reseal` seals them again with the current key.
 */
import { bankSandboxSealedPlaces } from './adapters/bank/migrations.ts';
import type { SealedPlace } from './crypto/sealed-places.ts';
import { MODULES } from './modules/catalog.ts';

export const allSealedPlaces: readonly SealedPlace[] = [
  ...MODULES.flatMap((module) => module.sealed ?? []),
  ...bankSandboxSealedPlaces,
];
