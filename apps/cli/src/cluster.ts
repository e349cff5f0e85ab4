/**
 * `qianbao cluster up|down|status|switchover|failover-test`: a highly available PostgreSQL cluster
 * on one machine for testing — three PostgreSQL 15 nodes under Patroni with etcd, synchronous
 * replication, HAProxy, two Qianbao API processes — and the failover test under load
 * (bench/failover.ts). docs/cluster.md; ADR 0026.
 */
import { parseArgs } from 'node:util';
import { ClusterError } from './cluster-host.ts';
import { clusterDown, clusterUp, switchover } from './cluster-control.ts';
import { DEFAULT_CLUSTER_DATA, DEFAULT_PORT_BASE, clusterLayout } from './cluster-layout.ts';
import type { ClusterLayout } from './cluster-layout.ts';
import { formatStatus, readStatus } from './cluster-status.ts';

export const CLUSTER_USAGE = `Usage: qianbao cluster <up|down|status|switchover|failover-test> [options]

A three-node PostgreSQL 15 cluster under Patroni (etcd, synchronous_mode on), HAProxy in front
(write port → leader, read port → replicas) and two Qianbao API processes, all on this machine,
for testing failover (docs/cluster.md). Installs its Debian packages when run as root.

  up                 Start whatever is not running; prints the status
  down [--wipe]      Stop everything up started; --wipe also deletes the data folder
  status             Leader, replicas, sync standby, lag, HAProxy backends, API URLs
  switchover [--candidate NODE]
                     A planned switchover (patronictl) to a synchronous standby
  failover-test --mode kill|partition|switchover [--holders N] [--clients N] [--seconds N] [--keep]
                     The failover test under load on a cluster of its own (bench/failover.ts):
                     exit code 1 when an acknowledged transfer was lost

Options for every subcommand:
  --data DIR         The cluster's data folder (default ${DEFAULT_CLUSTER_DATA})
  --port-base N      First of its ports (default ${DEFAULT_PORT_BASE}): +0 write, +1 read, +9 HAProxy
                     stats, +10/+11 API, +31… PostgreSQL, +41… Patroni REST, +79/+80 etcd
  --no-namespaces    Nodes share the root network namespace (no partition test; no root needed
                     for the network)`;

type ExitCode = 0 | 1 | 2;

const SUBCOMMANDS = ['up', 'down', 'status', 'switchover', 'failover-test'] as const;

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

export async function clusterCommand(args: readonly string[]): Promise<ExitCode> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
    console.log(CLUSTER_USAGE);
    return subcommand === undefined ? 2 : 0;
  }
  if (!(SUBCOMMANDS as readonly string[]).includes(subcommand))
    return usage(`unknown subcommand "${subcommand}"`);
  if (subcommand === 'failover-test') {
    // The test parses its own options (the same --data/--port-base/--no-namespaces and more).
    const { failoverTest } = await import('../../../bench/failover.ts');
    try {
      return (await failoverTest(rest)) ? 0 : 1;
    } catch (error) {
      if (!(error instanceof ClusterError)) throw error;
      console.error(`qianbao cluster failover-test: ${error.message}`);
      return 1;
    }
  }
  let values: {
    data?: string | undefined;
    'port-base'?: string | undefined;
    'no-namespaces'?: boolean | undefined;
    wipe?: boolean | undefined;
    candidate?: string | undefined;
    help?: boolean | undefined;
  };
  try {
    const parsed = parseArgs({
      args: rest,
      options: {
        data: { type: 'string' },
        'port-base': { type: 'string' },
        'no-namespaces': { type: 'boolean' },
        wipe: { type: 'boolean' },
        candidate: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    values = parsed.values;
  } catch (error) {
    return usage((error as Error).message);
  }
  if (values.help) {
    console.log(CLUSTER_USAGE);
    return 0;
  }
  const portBase = values['port-base'] === undefined ? DEFAULT_PORT_BASE : Number(values['port-base']);
  if (!Number.isSafeInteger(portBase) || portBase < 1024 || portBase > 65_000)
    return usage('--port-base must be a whole number from 1024 to 65000');
  const layout = clusterLayout({
    data: values.data ?? DEFAULT_CLUSTER_DATA,
    portBase,
    namespaces: values['no-namespaces'] !== true,
  });
  try {
    switch (subcommand) {
      case 'up':
        await clusterUp(layout, { print: progress });
        console.log(formatStatus(layout, await readStatus(layout)));
        return 0;
      case 'down':
        await clusterDown(layout, { wipe: values.wipe === true, print: progress });
        return 0;
      case 'status':
        return status(layout);
      case 'switchover': {
        const { from, to } = await switchover(layout, values.candidate);
        console.log(
          `Switchover requested: ${from} → ${to}. \`qianbao cluster status\` shows when it is done.`,
        );
        return 0;
      }
    }
  } catch (error) {
    if (!(error instanceof ClusterError)) throw error;
    console.error(`qianbao cluster ${subcommand}: ${error.message}`);
    return 1;
  }
  return 2;
}

async function status(layout: ClusterLayout): Promise<ExitCode> {
  const current = await readStatus(layout);
  console.log(formatStatus(layout, current));
  return current.members.some((member) => member.role === 'leader') ? 0 : 1;
}

function usage(problem: string): 2 {
  console.error(`qianbao cluster: ${problem}\n\n${CLUSTER_USAGE}`);
  return 2;
}
