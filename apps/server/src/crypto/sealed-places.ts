/**
 * Where sealed values are stored, and the two walks over them that a data-key rotation needs
 * (ADR 0029): a census (how many values each key sealed) and a reseal (every value sealed again
 * with the current key, so that an old key can leave the ring).
 *
 * A module declares its places in its declaration (`sealed`, modules/README.md); core and the
 * adapters declare theirs beside their tables (../sealed-places.ts gathers them all). A place is
 * static: table, column, purpose — never user input — so its names go into SQL as identifiers
 * after `checkSealedPlace` has checked them.
 *
 * The reseal walks a table by block ranges of its physical layout (`ctid`, a TID range scan),
 * so it reads each block once whatever the table's keys, and writes a batch with one statement
 * that changes a row only if it still holds the value read (compare-and-set on ctid and value).
 * A row a server changed meanwhile is left as that server wrote it: a server seals with the
 * current key, and one still on the old ring is caught by the next sweep. Each batch commits on
 * its own: a reseal killed at any point leaves every value openable, some under the new key, and
 * run again it finishes the rest.
 */
import type pg from 'pg';
import type { SecretBox } from './secret-box.ts';

export interface SealedPlace {
  table: string;
  column: string;
  /** For a jsonb column: the key of the object member that holds the sealed string. */
  jsonKey?: string;
  /** The purpose it is sealed under; `{name}` stands for the row's column `name` (as text). */
  purpose: string;
  /** Only rows that match this condition (static SQL of the owner's, never input). */
  where?: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const TEMPLATE_COLUMN = /\{([a-z_][a-z0-9_]{0,62})\}/g;
/** Blocks of the table read by one select of a sweep (8 kB each: 4 MB). */
const BLOCKS_PER_STEP = 512;
/** Sweeps of a place before the reseal gives up on rows that keep changing under it. */
const MAX_SWEEPS = 3;

/** The place's name as the census and the reseal print it: `table.column` or `table.column->key`. */
export function placeName(place: SealedPlace): string {
  return `${place.table}.${place.column}${place.jsonKey ? `->${place.jsonKey}` : ''}`;
}

/** Throws on a name that is not a plain lower-case identifier (a declaration's mistake). */
export function checkSealedPlace(place: SealedPlace): void {
  for (const name of [place.table, place.column, ...templateColumns(place.purpose)]) {
    if (!IDENTIFIER.test(name)) throw new Error(`sealed place ${placeName(place)}: bad identifier ${name}`);
  }
  if (place.jsonKey !== undefined && !IDENTIFIER.test(place.jsonKey.toLowerCase())) {
    throw new Error(`sealed place ${placeName(place)}: bad json key`);
  }
}

function templateColumns(purpose: string): string[] {
  return [...purpose.matchAll(TEMPLATE_COLUMN)].map((match) => match[1]!);
}

function valueSql(place: SealedPlace): string {
  return place.jsonKey === undefined ? place.column : `${place.column} ->> '${place.jsonKey}'`;
}

function purposeOf(place: SealedPlace, row: Record<string, unknown>): string {
  return place.purpose.replace(TEMPLATE_COLUMN, (_, column: string) => String(row[`p_${column}`]));
}

export interface PlaceCensus {
  place: string;
  /** Values per data key id. */
  byKey: Map<string, number>;
}

/** How many values of each place each data key sealed. */
export async function sealedCensus(
  pool: pg.Pool,
  box: SecretBox,
  places: readonly SealedPlace[],
): Promise<PlaceCensus[]> {
  const census: PlaceCensus[] = [];
  for (const place of places) {
    checkSealedPlace(place);
    const value = valueSql(place);
    const { rows } = await pool.query<{ version: string; key: string; count: string }>(
      `SELECT split_part(${value}, '.', 1) AS version, split_part(${value}, '.', 2) AS key, count(*) AS count
         FROM ${place.table}
        WHERE ${value} IS NOT NULL${place.where ? ` AND (${place.where})` : ''}
        GROUP BY 1, 2`,
    );
    const byKey = new Map<string, number>();
    for (const row of rows) {
      // v1 values (before the ring) all belong to the root's data key; their 2nd part is the IV.
      const key =
        row.version === 'v1'
          ? box.rootKeyId
          : row.version === 'v2' && /^[0-9a-f]{16}$/.test(row.key)
            ? row.key
            : 'unreadable';
      byKey.set(key, (byKey.get(key) ?? 0) + Number(row.count));
    }
    census.push({ place: placeName(place), byKey });
  }
  return census;
}

export interface PlaceReseal {
  place: string;
  /** Values sealed again with the current key by this run. */
  resealed: number;
  /** Values that could not be opened (a key missing from the ring, or a damaged value). */
  failed: number;
  /** Values not under the current key when the run ended (failed ones included). */
  remaining: number;
}

/**
 * Seal every value of every place again with the box's current key. Idempotent; safe beside
 * running servers and beside another reseal (each batch changes only rows still as it read them).
 */
export async function resealPlaces(
  pool: pg.Pool,
  box: SecretBox,
  places: readonly SealedPlace[],
  options: {
    /** Values written by one statement (default 500). */
    batch?: number;
    /** Blocks of the table read by one select (default 512: 4 MB); tests make it small. */
    blocksPerStep?: number;
    onBatch?: (place: string, resealed: number) => void;
    /** Test seam: after a block range is read, before its values are written back. */
    afterRead?: () => Promise<void>;
  } = {},
): Promise<PlaceReseal[]> {
  const batch = options.batch ?? 500;
  const blocksPerStep = options.blocksPerStep ?? BLOCKS_PER_STEP;
  const report: PlaceReseal[] = [];
  for (const place of places) {
    checkSealedPlace(place);
    const result: PlaceReseal = { place: placeName(place), resealed: 0, failed: 0, remaining: 0 };
    for (let sweep = 0; sweep < MAX_SWEEPS; sweep += 1) {
      const { resealed, failed } = await sweepPlace(
        pool,
        box,
        place,
        { batch, blocksPerStep, afterRead: options.afterRead },
        (count) => options.onBatch?.(result.place, count),
      );
      result.resealed += resealed;
      result.failed = failed;
      result.remaining = await notCurrent(pool, box, place);
      if (result.remaining <= failed) break;
    }
    report.push(result);
  }
  return report;
}

async function notCurrent(pool: pg.Pool, box: SecretBox, place: SealedPlace): Promise<number> {
  const value = valueSql(place);
  const { rows } = await pool.query<{ count: string }>(
    `SELECT count(*) AS count FROM ${place.table}
      WHERE ${value} IS NOT NULL AND ${value} NOT LIKE $1${place.where ? ` AND (${place.where})` : ''}`,
    [`v2.${box.currentKeyId}.%`],
  );
  return Number(rows[0]!.count);
}

async function sweepPlace(
  pool: pg.Pool,
  box: SecretBox,
  place: SealedPlace,
  {
    batch,
    blocksPerStep,
    afterRead,
  }: { batch: number; blocksPerStep: number; afterRead: (() => Promise<void>) | undefined },
  onBatch: (resealed: number) => void,
): Promise<{ resealed: number; failed: number }> {
  const value = valueSql(place);
  const purposeColumns = templateColumns(place.purpose)
    .map((column) => `, ${column}::text AS p_${column}`)
    .join('');
  const { rows: size } = await pool.query<{ blocks: string }>(
    `SELECT (pg_relation_size('${place.table}') / current_setting('block_size')::bigint)::text AS blocks`,
  );
  const blocks = Number(size[0]!.blocks);
  let resealed = 0;
  let failed = 0;
  for (let first = 0; first < blocks; first += blocksPerStep) {
    const { rows } = await pool.query<{ ctid: string; sealed: string } & Record<string, unknown>>(
      `SELECT ctid::text AS ctid, ${value} AS sealed${purposeColumns}
         FROM ${place.table}
        WHERE ctid >= $1::tid AND ctid < $2::tid
          AND ${value} IS NOT NULL AND ${value} NOT LIKE $3${place.where ? ` AND (${place.where})` : ''}`,
      [`(${first},0)`, `(${first + blocksPerStep},0)`, `v2.${box.currentKeyId}.%`],
    );
    if (rows.length > 0) await afterRead?.();
    for (let start = 0; start < rows.length; start += batch) {
      const ctids: string[] = [];
      const olds: string[] = [];
      const news: string[] = [];
      for (const row of rows.slice(start, start + batch)) {
        let fresh: string | null;
        try {
          fresh = box.reseal(row.sealed, purposeOf(place, row));
        } catch {
          failed += 1;
          continue;
        }
        if (fresh === null) continue;
        ctids.push(row.ctid);
        olds.push(row.sealed);
        news.push(fresh);
      }
      if (ctids.length === 0) continue;
      const set =
        place.jsonKey === undefined
          ? `${place.column} = u.fresh`
          : `${place.column} = jsonb_set(t.${place.column}, '{${place.jsonKey}}', to_jsonb(u.fresh))`;
      const updated = await pool.query(
        `UPDATE ${place.table} AS t SET ${set}
           FROM unnest($1::tid[], $2::text[], $3::text[]) AS u(row_id, old, fresh)
          WHERE t.ctid = u.row_id AND (t.${value}) = u.old`,
        [ctids, olds, news],
      );
      resealed += updated.rowCount ?? 0;
      onBatch(updated.rowCount ?? 0);
    }
  }
  return { resealed, failed };
}
