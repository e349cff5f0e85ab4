/**
 * What the cluster looks like now, from the engines themselves: members, roles and lag from
 * Patroni's REST API (GET /cluster), backends from HAProxy's stats page, API processes from
 * their /readyz.
 */
import type { ClusterLayout } from './cluster-layout.ts';

export interface Member {
  name: string;
  /** `leader`, `sync_standby` or `replica`. */
  role: string;
  state: string;
  host: string;
  port: number;
  timeline: number | null;
  /** Replication lag in bytes; null for the leader or when unknown. */
  lag: number | null;
}

export interface HaproxyBackend {
  proxy: 'primary' | 'replicas';
  server: string;
  /** `UP`, `DOWN`, `MAINT` … */
  status: string;
}

export interface ClusterStatus {
  members: Member[];
  /** Whether synchronous_mode is on in the cluster's shared configuration. */
  synchronousMode: boolean | null;
  backends: HaproxyBackend[];
  apis: { url: string; ready: number | null }[];
}

const TIMEOUT_MS = 1500;

async function getJson<T>(url: string): Promise<T | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!response.ok) return null;
    return (await response.json()) as T;
  } catch {
    return null;
  }
}

/** Patroni's view of the members, asked of each node in turn until one answers. */
export async function readMembers(layout: ClusterLayout): Promise<Member[] | null> {
  for (const node of layout.nodes) {
    const cluster = await getJson<{ members?: Record<string, unknown>[] }>(
      `http://${node.host}:${node.restPort}/cluster`,
    );
    if (cluster?.members === undefined) continue;
    return cluster.members.map((member) => ({
      name: String(member.name),
      role: String(member.role),
      state: String(member.state),
      host: String(member.host),
      port: Number(member.port),
      timeline: typeof member.timeline === 'number' ? member.timeline : null,
      lag: typeof member.lag === 'number' ? member.lag : null,
    }));
  }
  return null;
}

/** The leader's name, or null while there is none (or no node answers). */
export async function readLeader(layout: ClusterLayout): Promise<string | null> {
  const members = await readMembers(layout);
  return members?.find((member) => member.role === 'leader' && member.state === 'running')?.name ?? null;
}

async function readSynchronousMode(layout: ClusterLayout): Promise<boolean | null> {
  for (const node of layout.nodes) {
    const config = await getJson<{ synchronous_mode?: boolean }>(
      `http://${node.host}:${node.restPort}/config`,
    );
    if (config !== null) return config.synchronous_mode === true;
  }
  return null;
}

/** HAProxy's backends from its stats page as CSV (`;csv`). */
export async function readBackends(layout: ClusterLayout): Promise<HaproxyBackend[]> {
  let text: string;
  try {
    const response = await fetch(`http://127.0.0.1:${layout.statsPort}/;csv`, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    text = await response.text();
  } catch {
    return [];
  }
  const [header, ...rows] = text.trim().split('\n');
  const columns = (header ?? '').replace(/^# /, '').split(',');
  const at = (name: string) => columns.indexOf(name);
  return rows
    .map((row) => row.split(','))
    .filter(
      (cells) =>
        ['primary', 'replicas'].includes(cells[at('pxname')]!) && cells[at('svname')]!.startsWith('node'),
    )
    .map((cells) => ({
      proxy: cells[at('pxname')] as 'primary' | 'replicas',
      server: cells[at('svname')]!,
      status: cells[at('status')]!,
    }));
}

export async function readStatus(layout: ClusterLayout): Promise<ClusterStatus> {
  const [members, synchronousMode, backends] = await Promise.all([
    readMembers(layout),
    readSynchronousMode(layout),
    readBackends(layout),
  ]);
  const apis = await Promise.all(
    layout.apiPorts.map(async (port) => {
      const url = `http://127.0.0.1:${port}`;
      try {
        const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
        await response.arrayBuffer();
        return { url, ready: response.status };
      } catch {
        return { url, ready: null };
      }
    }),
  );
  return { members: members ?? [], synchronousMode, backends, apis };
}

export function formatStatus(layout: ClusterLayout, status: ClusterStatus): string {
  const leader = status.members.find((member) => member.role === 'leader');
  const sync = status.members.filter((member) => member.role === 'sync_standby');
  const lines = [
    `Cluster in ${layout.dir} (${layout.namespaces ? 'one network namespace per node' : 'no namespaces'})`,
    `Leader:        ${leader ? `${leader.name} (${leader.host}:${leader.port}, timeline ${leader.timeline ?? '?'})` : 'none'}`,
    `Sync standby:  ${sync.map((member) => member.name).join(', ') || 'none'}`,
    `Replication:   ${
      status.synchronousMode === null
        ? 'unknown (no Patroni answers)'
        : status.synchronousMode
          ? 'synchronous_mode on: an acknowledged commit is on the leader and its synchronous standby'
          : 'asynchronous: synchronous_mode is OFF'
    }`,
    '',
    'MEMBER  ROLE          STATE     ADDRESS              TL  LAG (bytes)',
  ];
  for (const member of status.members) {
    lines.push(
      [
        member.name.padEnd(6),
        member.role.padEnd(12),
        member.state.padEnd(8),
        `${member.host}:${member.port}`.padEnd(19),
        String(member.timeline ?? '-').padStart(3),
        member.role === 'leader' ? '-' : String(member.lag ?? '?'),
      ].join('  '),
    );
  }
  if (status.members.length === 0) lines.push('(no Patroni REST API answers)');
  lines.push(
    '',
    `HAProxy: write 127.0.0.1:${layout.writePort} → leader, read 127.0.0.1:${layout.readPort} → replicas, stats http://127.0.0.1:${layout.statsPort}/`,
  );
  for (const proxy of ['primary', 'replicas'] as const) {
    const backends = status.backends.filter((backend) => backend.proxy === proxy);
    lines.push(
      `  ${proxy.padEnd(8)}  ${backends.map((backend) => `${backend.server} ${backend.status}`).join(', ') || '(HAProxy not answering)'}`,
    );
  }
  lines.push('', 'API processes:');
  for (const api of status.apis)
    lines.push(`  ${api.url}  ${api.ready === null ? 'not answering' : `/readyz ${api.ready}`}`);
  return lines.join('\n');
}
