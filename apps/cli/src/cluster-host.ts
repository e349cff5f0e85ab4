/**
 * What the test cluster needs from the machine: its Debian packages (installed with apt-get when
 * we are root, as scripts/test.mjs does for Chromium), the `postgres` system user that Patroni
 * and PostgreSQL run as (PostgreSQL refuses root; ADR 0011), folders that user can reach, and
 * the network namespaces that let the failover test cut one node off (docs/cluster.md).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { CLUSTER_PACKAGES, POSTGRES_BIN } from './cluster-layout.ts';
import type { ClusterLayout, NodeLayout } from './cluster-layout.ts';

/** An expected failure of a cluster command: its message says what to do. */
export class ClusterError extends Error {}

const SERVICE_USER = 'postgres';
/** Where node folders go when the `postgres` user cannot reach the data folder (ADR 0011). */
const SHARED_STATE_DIR = '/var/lib/qianbao/cluster';

const REQUIRED_BINARIES: Record<string, string> = {
  '/usr/bin/patroni': 'patroni',
  '/usr/bin/patronictl': 'patroni',
  '/usr/bin/etcd': 'etcd-server',
  '/usr/bin/etcdctl': 'etcd-client',
  '/usr/sbin/haproxy': 'haproxy',
  '/usr/sbin/nft': 'nftables',
  [path.join(POSTGRES_BIN, 'postgres')]: 'postgresql-15',
};

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The Debian packages whose programs are missing. */
export function missingPackages(): string[] {
  const missing = new Set<string>();
  for (const [binary, pkg] of Object.entries(REQUIRED_BINARIES)) if (!existsSync(binary)) missing.add(pkg);
  return [...missing];
}

/** Install what is missing from Debian, as root; otherwise say what to install. */
export function ensurePackages(print: (line: string) => void): void {
  const missing = missingPackages();
  if (missing.length === 0) return;
  if (!isRoot()) {
    throw new ClusterError(
      `The cluster needs Debian packages that are not installed: ${missing.join(', ')}.\n` +
        `Install them as root: apt-get install ${[...CLUSTER_PACKAGES, 'postgresql-15'].join(' ')}`,
    );
  }
  print(`Installing from Debian: ${missing.join(', ')} …`);
  // Debian's packages would start their own etcd and HAProxy services where there is an init system.
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  const install = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
  const still = missingPackages();
  if (install.status !== 0 || still.length > 0)
    throw new ClusterError(`apt-get could not install ${still.join(', ') || missing.join(', ')}`);
}

/** Run a program to its end; throw with its output when it fails (unless allowed to). */
export function run(
  command: string,
  args: readonly string[],
  options: { allowFailure?: boolean; input?: string } = {},
): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    ...(options.input === undefined ? {} : { input: options.input }),
  });
  const status = result.status ?? -1;
  if (status !== 0 && !options.allowFailure) {
    throw new ClusterError(
      `${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${status}`}): ${result.stderr.trim()}`,
    );
  }
  return { status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

export interface ServiceUser {
  uid: number;
  gid: number;
}

/** The `postgres` system user, created when missing (Debian's postgresql-15 package makes it). */
export function serviceUser(): ServiceUser {
  let ids = userIds();
  if (ids === null) {
    run('groupadd', ['--system', SERVICE_USER], { allowFailure: true });
    run('useradd', [
      '--system',
      '--gid',
      SERVICE_USER,
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      SERVICE_USER,
    ]);
    ids = userIds();
    if (ids === null) throw new ClusterError(`could not create the "${SERVICE_USER}" system user`);
  }
  return ids;
}

function userIds(): ServiceUser | null {
  const uid = spawnSync('id', ['-u', SERVICE_USER], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', SERVICE_USER], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return null;
  return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
}

/** Whether the service user can enter `directory`: asked of the kernel as that user, not guessed. */
function serviceUserReaches(user: ServiceUser, directory: string): boolean {
  return (
    spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', directory], { ...user, cwd: '/', stdio: 'ignore' })
      .status === 0
  );
}

/**
 * A node's folder, owned by the service user (0700: PostgreSQL insists). Inside the data folder
 * when that user can reach it, else under /var/lib/qianbao/cluster with a link in its place.
 */
export function prepareNodeDirectory(layout: ClusterLayout, node: NodeLayout, user: ServiceUser): void {
  if (!existsSync(node.dir) && !isLink(node.dir)) {
    if (serviceUserReaches(user, layout.dir)) {
      mkdirSync(node.dir, { recursive: true });
    } else {
      const hash = createHash('sha256').update(layout.dir).digest('hex').slice(0, 12);
      const shared = path.join(SHARED_STATE_DIR, `${path.basename(layout.dir)}-${hash}`, node.name);
      mkdirSync(shared, { recursive: true });
      for (let dir = path.dirname(shared); dir !== '/var/lib'; dir = path.dirname(dir)) chmodSync(dir, 0o755);
      symlinkSync(shared, node.dir);
    }
  }
  run('chown', ['-R', `${user.uid}:${user.gid}`, `${node.dir}/`]);
  chmodSync(node.dir, 0o700);
}

function isLink(target: string): boolean {
  try {
    return lstatSync(target).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Namespaces and links that exist now. */
function namespaceExists(name: string): boolean {
  return run('ip', ['netns', 'list'])
    .stdout.split('\n')
    .some((line) => line.split(' ')[0] === name);
}

function linkExists(name: string): boolean {
  return run('ip', ['link', 'show', name], { allowFailure: true }).status === 0;
}

/**
 * A bridge in the root namespace (etcd and HAProxy listen there) and, per node, a namespace
 * joined to it by a veth pair: a node's traffic can then be cut by a firewall rule inside its
 * namespace alone. Idempotent.
 */
export function createNetwork(layout: ClusterLayout): void {
  if (!isRoot()) throw new ClusterError('Network namespaces need root: run as root or pass --no-namespaces.');
  if (!linkExists(layout.bridge)) {
    run('ip', ['link', 'add', layout.bridge, 'type', 'bridge']);
    run('ip', ['addr', 'add', `${layout.bridgeAddress}/24`, 'dev', layout.bridge]);
  }
  run('ip', ['link', 'set', layout.bridge, 'up']);
  for (const node of layout.nodes) {
    const namespace = node.namespace!;
    if (!namespaceExists(namespace)) run('ip', ['netns', 'add', namespace]);
    if (!linkExists(node.veth)) {
      run('ip', ['link', 'add', node.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace]);
      run('ip', ['link', 'set', node.veth, 'master', layout.bridge]);
      run('ip', ['-n', namespace, 'addr', 'add', `${node.host}/24`, 'dev', 'eth0']);
    }
    run('ip', ['link', 'set', node.veth, 'up']);
    run('ip', ['-n', namespace, 'link', 'set', 'lo', 'up']);
    run('ip', ['-n', namespace, 'link', 'set', 'eth0', 'up']);
  }
}

/** Remove the namespaces and the bridge (deleting a namespace deletes its veth pair). */
export function removeNetwork(layout: ClusterLayout): void {
  for (const node of layout.nodes) {
    if (node.namespace !== null && namespaceExists(node.namespace))
      run('ip', ['netns', 'del', node.namespace], { allowFailure: true });
    if (linkExists(node.veth)) run('ip', ['link', 'del', node.veth], { allowFailure: true });
  }
  if (linkExists(layout.bridge)) run('ip', ['link', 'del', layout.bridge], { allowFailure: true });
}

const PARTITION_TABLE = 'qianbao_partition';

/**
 * Cut a node off: inside its namespace, drop every packet in and out except on loopback. The node
 * keeps running — it just cannot reach etcd, its replicas or HAProxy, nor they it.
 */
export function partitionNode(node: NodeLayout): void {
  if (node.namespace === null)
    throw new ClusterError('A partition needs the cluster started with namespaces.');
  const rules = [
    `table inet ${PARTITION_TABLE} {`,
    '  chain input { type filter hook input priority -100; policy drop; iifname "lo" accept; }',
    '  chain output { type filter hook output priority -100; policy drop; oifname "lo" accept; }',
    '}',
  ].join('\n');
  run('ip', ['netns', 'exec', node.namespace, 'nft', '-f', '-'], { input: rules });
}

/** Lift the partition of a node (no-op when there is none). */
export function healNode(node: NodeLayout): void {
  if (node.namespace === null) return;
  run('ip', ['netns', 'exec', node.namespace, 'nft', 'delete', 'table', 'inet', PARTITION_TABLE], {
    allowFailure: true,
  });
}

/** Whether a node is cut off now. */
export function isPartitioned(node: NodeLayout): boolean {
  if (node.namespace === null || !namespaceExists(node.namespace)) return false;
  return (
    run('ip', ['netns', 'exec', node.namespace, 'nft', 'list', 'table', 'inet', PARTITION_TABLE], {
      allowFailure: true,
    }).status === 0
  );
}

/** Processes running inside a node's namespace (all of its Patroni and PostgreSQL). */
export function namespacePids(node: NodeLayout): number[] {
  if (node.namespace === null || !namespaceExists(node.namespace)) return [];
  return run('ip', ['netns', 'pids', node.namespace], { allowFailure: true })
    .stdout.split('\n')
    .filter(Boolean)
    .map((pid) => Number.parseInt(pid, 10));
}

/** Whether this machine lets us make network namespaces (root, and a kernel/container that allows it). */
export function namespacesAvailable(): boolean {
  if (!isRoot()) return false;
  const probe = `qbprobe-${process.pid}`;
  if (run('ip', ['netns', 'add', probe], { allowFailure: true }).status !== 0) return false;
  run('ip', ['netns', 'del', probe], { allowFailure: true });
  return true;
}
