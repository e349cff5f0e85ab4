import { describe, expect, it } from 'vitest';
import { Coalescer, byKey } from './coalesce.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Coalescer', () => {
  it('sends a lone call at once and the calls made meanwhile together', async () => {
    const batches: number[][] = [];
    const gates: (() => void)[] = [];
    const coalescer = new Coalescer<number, number>(
      async (inputs) => {
        batches.push([...inputs]);
        await new Promise<void>((resolve) => gates.push(resolve));
        return inputs.map((n) => n * 10);
      },
      { maxInFlight: 1 },
    );
    const first = coalescer.call(1);
    await tick();
    expect(batches).toEqual([[1]]);
    const later = [2, 3, 4].map((n) => coalescer.call(n));
    await tick();
    expect(batches).toEqual([[1]]); // waiting for the statement on the wire
    gates.shift()!();
    expect(await first).toBe(10);
    await tick();
    await tick();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    gates.shift()!();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it('never lets a call join a statement already sent', async () => {
    const seen: number[][] = [];
    let release!: () => void;
    const coalescer = new Coalescer<number, number>(
      async (inputs) => {
        seen.push([...inputs]);
        if (seen.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return inputs;
      },
      { maxInFlight: 1 },
    );
    const a = coalescer.call(1);
    await tick();
    const b = coalescer.call(2);
    release();
    await Promise.all([a, b]);
    expect(seen).toEqual([[1], [2]]);
  });

  it('bounds the batch and the statements in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const sizes: number[] = [];
    const coalescer = new Coalescer<number, number>(
      async (inputs) => {
        inFlight++;
        most = Math.max(most, inFlight);
        sizes.push(inputs.length);
        await tick();
        inFlight--;
        return inputs;
      },
      { maxBatch: 3, maxInFlight: 2 },
    );
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => coalescer.call(i)));
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Math.max(...sizes)).toBe(3);
    expect(most).toBe(2);
  });

  it('fails only the bad call of a failed batch, or all of them when failures are not isolated', async () => {
    const run = async (inputs: readonly number[]) => {
      await tick();
      if (inputs.includes(13)) throw new Error('unlucky');
      return inputs;
    };
    const plain = new Coalescer(run, { isolateFailures: false });
    const plainResults = await Promise.allSettled([12, 13, 14].map((n) => plain.call(n)));
    expect(plainResults.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);

    const isolated = new Coalescer(run);
    const isolatedResults = await Promise.allSettled([12, 13, 14].map((n) => isolated.call(n)));
    expect(isolatedResults.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('refuses an answer that does not match the calls', async () => {
    const coalescer = new Coalescer<number, number>(() => Promise.resolve([1]), {
      isolateFailures: false,
    });
    await expect(Promise.all([coalescer.call(1), coalescer.call(2)])).rejects.toThrow(/answered 1 of 2/);
  });
});

describe('byKey', () => {
  it('maps rows back to keys, null where missing, repeated keys answered alike', () => {
    const rows = [
      { id: 'b', v: 2 },
      { id: 'a', v: 1 },
    ];
    expect(byKey(['a', 'x', 'b', 'a'], rows, (r) => r.id)).toEqual([rows[1], null, rows[0], rows[1]]);
  });
});
