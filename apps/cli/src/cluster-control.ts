/**
 * Bringing the test cluster up and down, and the three ways the failover test takes its leader
 * away: SIGKILL, a network partition, a planned switchover (docs/cluster.md). Each step of `up`
 * skips what already runs, so `up` also restarts a node that was killed.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createClient } from '@qianbao/db';
import {
  ClusterError,
  createNetwork,
  ensurePackages,
  healNode,
  isRoot,
  namespacePids,
  partitionNode,
  prepareNodeDirectory,
  removeNetwork,
  run,
  serviceUser,
} from './cluster-host.ts';
import type { ServiceUser } from './cluster-host.ts';
import { databaseUrl, etcdArguments, haproxyConfig, patroniConfig } from './cluster-layout.ts';
import type { ClusterLayout, ClusterSecrets, NodeLayout } from './cluster-layout.ts';
import {
  childPids,
  forgetStopped,
  isRunning,
  postmasterPid,
  readState,
  runningRecord,
  startProcess,
  stopProcess,
  tail,
} from './cluster-processes.ts';
import { readBackends, readLeader, readMembers } from './cluster-status.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = path.join(REPO_ROOT, 'apps/cli/bin/qianbao.js');
const LEADER_TIMEOUT_MS = 120_000;
const API_START_TIMEOUT_MS = 120_000;

export interface UpOptions {
  print: (line: string) => void;
  /** More environment for the API processes (the failover test lifts the sign-up limits). */
  apiEnv?: Record<string, string>;
}

/** Wait until `check` returns a value other than null/false, or fail saying what did not happen. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | null | false> | T | null | false,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline)
      throw new ClusterError(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(250);
  }
}

export function readSecrets(layout: ClusterLayout): ClusterSecrets {
  if (!existsSync(layout.secretsFile))
    throw new ClusterError(`No cluster in ${layout.dir}: run \`qianbao cluster up\` first.`);
  return JSON.parse(readFileSync(layout.secretsFile, 'utf8')) as ClusterSecrets;
}

function ensureSecrets(layout: ClusterLayout): ClusterSecrets {
  if (existsSync(layout.secretsFile)) return readSecrets(layout);
  const secrets: ClusterSecrets = {
    superuserPassword: randomBytes(18).toString('base64url'),
    replicationPassword: randomBytes(18).toString('base64url'),
    secretKey: randomBytes(32).toString('base64'),
    adminToken: randomBytes(24).toString('hex'),
  };
  writeFileSync(layout.secretsFile, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

/** Start whatever part of the cluster is not running; resolves once the API processes are ready. */
export async function clusterUp(layout: ClusterLayout, options: UpOptions): Promise<void> {
  const { print } = options;
  ensurePackages(print);
  if (!isRoot() && layout.namespaces)
    throw new ClusterError('Network namespaces need root: run as root, or pass --no-namespaces.');
  mkdirSync(layout.logDir, { recursive: true });
  chmodSync(layout.dir, 0o755);
  const secrets = ensureSecrets(layout);
  const user = isRoot() ? serviceUser() : null;
  if (layout.namespaces) createNetwork(layout);
  forgetStopped(layout);

  startEtcd(layout, print);
  await waitFor('etcd to answer', 30_000, async () => {
    const health = await fetch(`http://127.0.0.1:${layout.etcdClientPort}/health`).catch(() => null);
    return health?.ok === true;
  });

  for (const node of layout.nodes) startPatroni(layout, node, secrets, user, print);
  const leader = await waitForLeader(layout, LEADER_TIMEOUT_MS);
  print(`Leader: ${leader}. Waiting for every member to stream and a synchronous standby …`);
  await waitFor('three running members with a synchronous standby', LEADER_TIMEOUT_MS, async () => {
    const members = await readMembers(layout);
    return (
      members !== null &&
      members.length === layout.nodes.length &&
      members.every((member) => member.state === 'running' || member.state === 'streaming') &&
      members.some((member) => member.role === 'sync_standby')
    );
  });

  startHaproxy(layout, print);
  await waitFor('HAProxy to route the write port to the leader', 30_000, async () =>
    (await readBackends(layout)).some((backend) => backend.proxy === 'primary' && backend.status === 'UP'),
  );
  await createDatabase(layout, secrets);

  for (const [index, port] of layout.apiPorts.entries()) {
    await startApi(layout, secrets, { index, port, env: options.apiEnv ?? {} }, print);
  }
}

function startEtcd(layout: ClusterLayout, print: (line: string) => void): void {
  if (runningRecord(layout, 'etcd')) return;
  mkdirSync(layout.etcdData, { recursive: true, mode: 0o700 });
  print(`Starting etcd on ${layout.etcdHost}:${layout.etcdClientPort} …`);
  startProcess(layout, { name: 'etcd', command: '/usr/bin/etcd', args: etcdArguments(layout) });
}

/** A node's Patroni, in its namespace, as the `postgres` user when we are root. */
export function startPatroni(
  layout: ClusterLayout,
  node: NodeLayout,
  secrets: ClusterSecrets,
  user: ServiceUser | null,
  print: (line: string) => void,
): void {
  const name = `patroni-${node.name}`;
  if (runningRecord(layout, name)) return;
  // A postmaster left by a killed Patroni would hold the data directory: Patroni adopts a
  // running PostgreSQL, but only its own; stop the orphan first.
  killOrphanPostmaster(node);
  if (user !== null) prepareNodeDirectory(layout, node, user);
  else mkdirSync(node.dir, { recursive: true, mode: 0o700 });
  const config = path.join(node.dir, 'patroni.yml');
  writeFileSync(config, patroniConfig(layout, node, secrets), { mode: 0o600 });
  if (user !== null) chownSync(config, user.uid, user.gid);
  const patroni = ['/usr/bin/patroni', config];
  // setpriv executes Patroni in place (runuser would fork and wait), so the recorded pid is Patroni's.
  const asUser =
    user === null
      ? patroni
      : ['/usr/bin/setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--', ...patroni];
  const command =
    node.namespace === null ? asUser : ['/usr/sbin/ip', 'netns', 'exec', node.namespace, ...asUser];
  print(`Starting Patroni ${node.name} (PostgreSQL on ${node.host}:${node.pgPort}) …`);
  startProcess(layout, {
    name,
    command: command[0]!,
    args: command.slice(1),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: node.dir, LANG: 'C.UTF-8' },
    // Not our working directory: in a clone under /root the postgres user cannot enter it, and
    // Patroni's worker processes (Python multiprocessing) change into it at start and die.
    cwd: node.dir,
  });
}

function killOrphanPostmaster(node: NodeLayout): void {
  const pid = existsSync(node.pgData) ? postmasterPid(node.pgData) : null;
  if (pid === null) return;
  for (const child of childPids(pid)) tryKill(child, 'SIGKILL');
  tryKill(pid, 'SIGKILL');
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export async function waitForLeader(layout: ClusterLayout, timeoutMs: number, not?: string): Promise<string> {
  return waitFor(`a Patroni leader${not ? ` other than ${not}` : ''}`, timeoutMs, async () => {
    const leader = await readLeader(layout);
    return leader !== null && leader !== not ? leader : null;
  });
}

function startHaproxy(layout: ClusterLayout, print: (line: string) => void): void {
  if (runningRecord(layout, 'haproxy')) return;
  writeFileSync(layout.haproxyConfig, haproxyConfig(layout));
  run('/usr/sbin/haproxy', ['-c', '-q', '-f', layout.haproxyConfig]);
  print(`Starting HAProxy: write port ${layout.writePort}, read port ${layout.readPort} …`);
  // -db: stay in the foreground (we record its pid), no daemon.
  startProcess(layout, {
    name: 'haproxy',
    command: '/usr/sbin/haproxy',
    args: ['-db', '-f', layout.haproxyConfig],
  });
}

async function createDatabase(layout: ClusterLayout, secrets: ClusterSecrets): Promise<void> {
  const url = new URL(databaseUrl(layout, secrets, 'write'));
  url.pathname = '/postgres';
  const client = createClient(url.href, 'qianbao-cluster');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [layout.database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${layout.database}`);
  } finally {
    await client.end();
  }
}

/** The environment of an API process: the cluster's write port (and read port) through HAProxy. */
export function apiEnvironment(
  layout: ClusterLayout,
  secrets: ClusterSecrets,
  port: number,
  extra: Record<string, string>,
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/',
    DATABASE_URL: databaseUrl(layout, secrets, 'write'),
    // History and statement reads go to a replica (ADR 0027), through HAProxy's read port.
    DATABASE_REPLICA_URL: databaseUrl(layout, secrets, 'read'),
    PORT: String(port),
    HOST: '127.0.0.1',
    QIANBAO_SECRET_KEY: secrets.secretKey,
    QIANBAO_ADMIN_TOKEN: secrets.adminToken,
    QIANBAO_DATA_DIR: layout.apiDataDir,
    // One checkpoint file for the cluster's database, shared by both processes.
    LEDGER_CHECKPOINT_FILE: path.join(layout.apiDataDir, 'journal-checkpoints.jsonl'),
    QIANBAO_DEMO_SHOP: 'off',
    LOG_LEVEL: 'warn',
    // A ledger batch waits this long for a new leader before answering 503 (operations.md, "When
    // the database fails over"): Patroni's ttl (10 s, ops/cluster/patroni.yml) plus HAProxy's two
    // 1-second checks, with room to spare on a loaded machine.
    LEDGER_UNAVAILABLE_AFTER_MS: '20000',
    ...extra,
  };
}

async function startApi(
  layout: ClusterLayout,
  secrets: ClusterSecrets,
  api: { index: number; port: number; env: Record<string, string> },
  print: (line: string) => void,
): Promise<void> {
  const name = `api-${api.index + 1}`;
  const url = `http://127.0.0.1:${api.port}`;
  if (!runningRecord(layout, name)) {
    mkdirSync(layout.apiDataDir, { recursive: true });
    print(`Starting Qianbao API ${name} on ${url} …`);
    startProcess(layout, {
      name,
      command: process.execPath,
      args: [CLI, 'start'],
      env: apiEnvironment(layout, secrets, api.port, api.env),
      cwd: REPO_ROOT,
    });
  }
  const record = runningRecord(layout, name);
  await waitFor(`${name} to answer /readyz 200`, API_START_TIMEOUT_MS, async () => {
    if (record === null || !isRunning(record))
      throw new ClusterError(`${name} exited:\n${record ? tail(record.log) : ''}`);
    const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
    await response?.arrayBuffer();
    return response?.status === 200;
  });
}

/** Stop everything `up` started (API processes first, etcd last); `wipe` also deletes the data. */
export async function clusterDown(
  layout: ClusterLayout,
  options: { wipe: boolean; print: (line: string) => void },
): Promise<void> {
  const records = readState(layout).processes;
  const byName = (prefix: string) => records.filter((record) => record.name.startsWith(prefix));
  for (const group of ['api-', 'haproxy', 'patroni-', 'etcd']) {
    const running = byName(group).filter(isRunning);
    if (running.length > 0) options.print(`Stopping ${running.map((record) => record.name).join(', ')} …`);
    await Promise.all(running.map((record) => stopProcess(record, group === 'patroni-' ? 30_000 : 15_000)));
    if (group === 'patroni-') for (const node of layout.nodes) killOrphanPostmaster(node);
  }
  if (existsSync(layout.stateFile)) forgetStopped(layout);
  if (layout.namespaces && isRoot()) {
    for (const node of layout.nodes) for (const pid of namespacePids(node)) tryKill(pid, 'SIGKILL');
    removeNetwork(layout);
  }
  if (options.wipe && existsSync(layout.dir)) {
    for (const node of layout.nodes) {
      // A node folder linked to /var/lib/qianbao/cluster (cluster-host.ts) goes too.
      if (existsSync(node.dir) && realpathSync(node.dir) !== node.dir)
        rmSync(realpathSync(node.dir), { recursive: true, force: true });
    }
    rmSync(layout.dir, { recursive: true, force: true });
    options.print(`Deleted ${layout.dir}.`);
  }
}

/**
 * SIGKILL a node: its Patroni and its PostgreSQL (postmaster and every backend) — all processes
 * in its namespace, or the recorded Patroni and the postmaster of its data directory.
 */
export function killNode(layout: ClusterLayout, node: NodeLayout): number[] {
  const pids = new Set<number>(namespacePids(node));
  const patroni = runningRecord(layout, `patroni-${node.name}`);
  if (patroni) pids.add(patroni.pid);
  const postmaster = postmasterPid(node.pgData);
  if (postmaster !== null) {
    pids.add(postmaster);
    for (const child of childPids(postmaster)) pids.add(child);
  }
  for (const pid of pids) tryKill(pid, 'SIGKILL');
  return [...pids];
}

export { healNode, partitionNode };

/** A planned switchover with Patroni's own tool: the leader hands over to a synchronous standby. */
export async function switchover(
  layout: ClusterLayout,
  candidate?: string,
): Promise<{ from: string; to: string }> {
  const members = await readMembers(layout);
  const leader = members?.find((member) => member.role === 'leader')?.name;
  if (leader === undefined) throw new ClusterError('No leader to switch over from.');
  const to =
    candidate ??
    members!.find((member) => member.role === 'sync_standby')?.name ??
    members!.find((m) => m.name !== leader)?.name;
  if (to === undefined || to === leader) throw new ClusterError('No replica to switch over to.');
  const config = path.join(layout.nodes.find((node) => node.name === leader)!.dir, 'patroni.yml');
  run('/usr/bin/patronictl', ['-c', config, 'switchover', '--leader', leader, '--candidate', to, '--force']);
  return { from: leader, to };
}

/** The node of a member name. */
export function nodeNamed(layout: ClusterLayout, name: string): NodeLayout {
  const node = layout.nodes.find((candidate) => candidate.name === name);
  if (node === undefined) throw new ClusterError(`No node named ${name}.`);
  return node;
}
