/**
 * The failover test under load, short: a three-node Patroni cluster with two API processes
 * (`qianbao cluster up` on a folder and ports of its own), transfers through both, the leader
 * SIGKILLed mid-load; every acknowledged transfer must be in the books of the new leader, no
 * balance negative, `qianbao verify` passing. The long runs (partition, switchover, more load)
 * are `npx qianbao cluster failover-test` (docs/cluster.md).
 *
 * Needs root (to install the Debian packages and run PostgreSQL as `postgres`) or the packages
 * already installed; network namespaces are used when the machine allows them.
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFailoverTest } from '../../bench/failover.ts';
import { isRoot, missingPackages, namespacesAvailable } from '../../apps/cli/src/cluster-host.ts';

const runnable = isRoot() || missingPackages().length === 0;
if (!runnable) {
  console.warn(
    `Skipping the cluster failover test: not root and Debian packages missing (${missingPackages().join(', ')}).`,
  );
}

describe('a Patroni cluster under load', () => {
  it.skipIf(!runnable)(
    'loses no acknowledged transfer when the leader is SIGKILLed',
    async () => {
      const [report] = await runFailoverTest([
        '--mode',
        'kill',
        '--holders',
        '30',
        '--clients',
        '12',
        '--seconds',
        '24',
        '--failover-at',
        '6',
        '--data',
        path.join(tmpdir(), `qianbao-cluster-test-${process.pid}`),
        '--port-base',
        '25600',
        ...(namespacesAvailable() ? [] : ['--no-namespaces']),
      ]);
      expect(report).toBeDefined();
      expect(report!.newLeader).not.toBe(report!.oldLeader);
      expect(report!.acknowledged).toBeGreaterThan(0);
      expect(report!.lost).toEqual([]);
      expect(report!.negative).toBe(0);
      expect(report!.verifyPassed).toBe(true);
      expect(report!.apisServeAfter).toBe(true);
      expect(report!.passed).toBe(true);
    },
    300_000,
  );
});
