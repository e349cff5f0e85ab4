/**
 * `qianbao secrets status|reseal`: the data-key rotation's two commands (ADR 0029,
 * docs/production.md#rotation). `status` says which key each stored sealed value needs and
 * whether the ring (QIANBAO_DATA_KEYS) holds it; `reseal` seals every value again with the
 * current key, so that an old key can leave the ring.
 */
import { parseArgs } from 'node:util';
import { SecretBox, allSealedPlaces, openDatabase, resealPlaces, sealedCensus } from '@qianbao/server';
import type { Config, PlaceCensus, PlaceReseal } from '@qianbao/server';
import { existingSecretKey, sandboxKeyFile } from './commands.ts';

const USAGE = `Usage: qianbao secrets status
       qianbao secrets reseal [--batch N]

status   The data keys of QIANBAO_DATA_KEYS (the first seals, every one opens) and, for every place
         that stores sealed values, how many each key sealed. Exit 1 when a value needs a key
         that is not in the ring.
reseal   Seal every value again with the current (first) key, in batches, beside running servers.
         Safe to stop and run again. Exit 1 when some value could not be opened.

Rotating the data key: docs/production.md, "Rotation".`;

const DEFAULT_BATCH = 500;

export async function secretsCommand(args: readonly string[], config: Config): Promise<0 | 1 | 2> {
  const [subcommand, ...rest] = args;
  if (subcommand === 'help' || subcommand === '--help' || subcommand === '-h') {
    console.log(USAGE);
    return 0;
  }
  let batch = DEFAULT_BATCH;
  try {
    const { values } = parseArgs({
      args: [...rest],
      options: { batch: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (values.batch !== undefined) {
      batch = Number(values.batch);
      if (!Number.isInteger(batch) || batch < 1 || batch > 10_000) throw new Error('--batch must be 1…10000');
    }
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (subcommand !== 'status' && subcommand !== 'reseal') {
    console.error(USAGE);
    return 2;
  }
  // Never a made-up key: a census or reseal under it would only find nothing opens (existingSecretKey).
  const rootKey = existingSecretKey(config);
  if (rootKey === null) {
    console.error(
      `qianbao secrets: QIANBAO_SECRET_KEY is not set and there is no sandbox key in ${sandboxKeyFile(config)}`,
    );
    return 2;
  }
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const box = new SecretBox(rootKey, config.dataKeys);
  const database = await openDatabase({ config, print: progress, whenEmbeddedRunning: 'connect' });
  try {
    console.log(formatRing(box));
    if (subcommand === 'reseal') {
      const report = await resealPlaces(database.pool, box, allSealedPlaces, {
        batch,
        onBatch: (place, count) => progress(`  ${place}: ${count} sealed again`),
      });
      console.log(formatReseal(report, box));
      if (report.some((place) => place.failed > 0 || place.remaining > 0)) return 1;
    }
    const census = await sealedCensus(database.pool, box, allSealedPlaces);
    console.log(formatCensus(census, box));
    return missingKeys(census, box).length > 0 ? 1 : 0;
  } finally {
    await database.close();
  }
}

function formatRing(box: SecretBox): string {
  const names = box.keyIds.map(
    (id, index) => `${id}${id === box.rootKeyId ? ' (root)' : ''}${index === 0 ? ' — seals new values' : ''}`,
  );
  return `Data keys (QIANBAO_DATA_KEYS), each opens:\n${names.map((name) => `  ${name}`).join('\n')}`;
}

function missingKeys(census: readonly PlaceCensus[], box: SecretBox): string[] {
  const needed = new Set(census.flatMap((place) => [...place.byKey.keys()]));
  return [...needed].filter((id) => !box.keyIds.includes(id)).sort();
}

/** One line per place: its values per key, the current key's first. */
export function formatCensus(census: readonly PlaceCensus[], box: SecretBox): string {
  const width = Math.max(...census.map((place) => place.place.length));
  const lines = ['', 'Sealed values by data key:'];
  let total = 0;
  let current = 0;
  for (const place of census) {
    const counts = [...place.byKey.entries()].sort(([a], [b]) =>
      a === box.currentKeyId ? -1 : b === box.currentKeyId ? 1 : a.localeCompare(b),
    );
    for (const [id, count] of counts) {
      total += count;
      if (id === box.currentKeyId) current += count;
    }
    const shown = counts.length === 0 ? 'none' : counts.map(([id, count]) => `${count} × ${id}`).join(', ');
    lines.push(`  ${place.place.padEnd(width)}  ${shown}`);
  }
  const missing = missingKeys(census, box);
  const unused = box.keyIds.filter(
    (id) => id !== box.currentKeyId && !census.some((place) => place.byKey.has(id)),
  );
  lines.push('');
  if (missing.length > 0) {
    lines.push(
      `MISSING: values sealed with ${missing.join(', ')}, which QIANBAO_DATA_KEYS does not hold: ` +
        'they cannot be opened until the key is added back.',
    );
  }
  lines.push(`${current} of ${total} sealed value(s) are under the current key ${box.currentKeyId}.`);
  if (current < total && missing.length === 0)
    lines.push('Run `qianbao secrets reseal` to seal the rest again.');
  if (unused.length > 0) {
    lines.push(
      `No stored value needs ${unused.join(', ')}: it may leave QIANBAO_DATA_KEYS (keep it archived while ` +
        'backups taken before the reseal are kept).',
    );
  }
  return lines.join('\n');
}

function formatReseal(report: readonly PlaceReseal[], box: SecretBox): string {
  const width = Math.max(...report.map((place) => place.place.length));
  const lines = ['', `Sealed again with ${box.currentKeyId}:`];
  for (const place of report) {
    const trouble = [
      place.failed > 0 ? `${place.failed} could not be opened` : '',
      place.remaining > place.failed ? `${place.remaining - place.failed} still changing` : '',
    ].filter(Boolean);
    lines.push(
      `  ${place.place.padEnd(width)}  ${place.resealed}${trouble.length > 0 ? ` — ${trouble.join(', ')}` : ''}`,
    );
  }
  return lines.join('\n');
}
