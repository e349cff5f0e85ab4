/**
 * Where every piece of the test cluster (`qianbao cluster`, docs/cluster.md) lives: folders,
 * ports, network namespaces and addresses, all derived from two choices — the data folder and
 * the port base — so that `up`, `down`, `status` and the failover test agree without asking
 * each other. Also renders the templates under ops/cluster/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_CLUSTER_DATA = './data/cluster';
export const DEFAULT_PORT_BASE = 25400;
export const NODE_COUNT = 3;
export const API_COUNT = 2;
/** The Debian packages the cluster runs on (and the one tool the partition test needs). */
export const CLUSTER_PACKAGES = ['patroni', 'etcd-server', 'etcd-client', 'haproxy', 'nftables'] as const;
export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

const OPS_DIRECTORY = fileURLToPath(new URL('../../../ops/cluster/', import.meta.url));

export interface ClusterOptions {
  /** The data folder (everything the cluster writes). */
  data: string;
  /** The first of the cluster's ports (see `ports`). */
  portBase: number;
  /** Each PostgreSQL node in a network namespace of its own (needed for the partition test). */
  namespaces: boolean;
}

export interface NodeLayout {
  /** `node1` … `node3`: Patroni's member name. */
  name: string;
  /** Its folder: Patroni's config, pgpass, the PostgreSQL socket. */
  dir: string;
  /** The PostgreSQL data directory. */
  pgData: string;
  /** Where the node's PostgreSQL and Patroni REST API listen, seen from the root namespace. */
  host: string;
  pgPort: number;
  restPort: number;
  /** Its network namespace, null without namespaces. */
  namespace: string | null;
  /** The root namespace's end of its veth pair. */
  veth: string;
}

export interface ClusterLayout extends ClusterOptions {
  dir: string;
  logDir: string;
  stateFile: string;
  secretsFile: string;
  etcdData: string;
  /** The address etcd listens on for the nodes (the bridge's, with namespaces). */
  etcdHost: string;
  etcdClientPort: number;
  etcdPeerPort: number;
  haproxyConfig: string;
  writePort: number;
  readPort: number;
  statsPort: number;
  apiPorts: number[];
  apiDataDir: string;
  /** The bridge joining the namespaces to the root namespace, and its address. */
  bridge: string;
  bridgeAddress: string;
  subnetPrefix: string;
  nodes: NodeLayout[];
  /** The database the API processes use. */
  database: string;
}

/**
 * Ports: base+0 write (HAProxy → leader), +1 read (→ replicas), +9 HAProxy stats, +10… API
 * processes, +31… PostgreSQL nodes, +41… Patroni REST, +79/+80 etcd client/peer. The default
 * base 25400 keeps clear of the machine's PostgreSQL (5432), Redis, RabbitMQ, NATS and etcd (2379).
 */
export function clusterLayout(options: ClusterOptions): ClusterLayout {
  const dir = path.resolve(options.data);
  const base = options.portBase;
  // A /24 per port base, so a second cluster (the CI test's) never shares addresses with the first.
  const subnetPrefix = `10.77.${Math.floor(base / 100) % 250}`;
  const tag = `qb${base}`; // interface and namespace names: at most 15 characters
  const bridgeAddress = `${subnetPrefix}.1`;
  const nodes = Array.from({ length: NODE_COUNT }, (_, i): NodeLayout => {
    const name = `node${i + 1}`;
    const nodeDir = path.join(dir, name);
    return {
      name,
      dir: nodeDir,
      pgData: path.join(nodeDir, 'pgdata'),
      host: options.namespaces ? `${subnetPrefix}.${11 + i}` : '127.0.0.1',
      pgPort: base + 31 + i,
      restPort: base + 41 + i,
      namespace: options.namespaces ? `${tag}-pg${i + 1}` : null,
      veth: `${tag}-v${i + 1}`,
    };
  });
  return {
    ...options,
    dir,
    logDir: path.join(dir, 'logs'),
    stateFile: path.join(dir, 'state.json'),
    secretsFile: path.join(dir, 'secrets.json'),
    etcdData: path.join(dir, 'etcd'),
    etcdHost: options.namespaces ? bridgeAddress : '127.0.0.1',
    etcdClientPort: base + 79,
    etcdPeerPort: base + 80,
    haproxyConfig: path.join(dir, 'haproxy.cfg'),
    writePort: base,
    readPort: base + 1,
    statsPort: base + 9,
    apiPorts: Array.from({ length: API_COUNT }, (_, i) => base + 10 + i),
    apiDataDir: path.join(dir, 'api'),
    bridge: `${tag}-br`,
    bridgeAddress,
    subnetPrefix,
    nodes,
    database: 'qianbao',
  };
}

/** Passwords of the cluster's two PostgreSQL roles, made by `up` and kept in secrets.json (0600). */
export interface ClusterSecrets {
  superuserPassword: string;
  replicationPassword: string;
  /** The API processes' QIANBAO_SECRET_KEY (base64) and QIANBAO_ADMIN_TOKEN. */
  secretKey: string;
  adminToken: string;
}

/** The URL of the cluster's database through HAProxy: `write` goes to the leader, `read` to a replica. */
export function databaseUrl(layout: ClusterLayout, secrets: ClusterSecrets, port: 'write' | 'read'): string {
  const portNumber = port === 'write' ? layout.writePort : layout.readPort;
  return `postgres://postgres:${encodeURIComponent(secrets.superuserPassword)}@127.0.0.1:${portNumber}/${layout.database}`;
}

/** A node's own PostgreSQL, bypassing HAProxy (status, checks). */
export function nodeUrl(node: NodeLayout, secrets: ClusterSecrets, database: string): string {
  return `postgres://postgres:${encodeURIComponent(secrets.superuserPassword)}@${node.host}:${node.pgPort}/${database}`;
}

/** `${NAME}` → values[NAME]; a placeholder without a value is a programmer error. */
export function render(template: string, values: Record<string, string | number>): string {
  return template.replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for \${${name}} in a cluster template`);
    return String(value);
  });
}

function template(name: string): string {
  return readFileSync(path.join(OPS_DIRECTORY, name), 'utf8');
}

export function patroniConfig(layout: ClusterLayout, node: NodeLayout, secrets: ClusterSecrets): string {
  return render(template('patroni.yml'), {
    NODE_NAME: node.name,
    NODE_HOST: node.host,
    NODE_DIR: node.dir,
    REST_PORT: node.restPort,
    PG_PORT: node.pgPort,
    PG_DATA: node.pgData,
    ETCD_HOST: layout.etcdHost,
    ETCD_CLIENT_PORT: layout.etcdClientPort,
    SUPERUSER_PASSWORD: secrets.superuserPassword,
    REPLICATION_PASSWORD: secrets.replicationPassword,
  });
}

export function haproxyConfig(layout: ClusterLayout): string {
  const servers = layout.nodes
    .map(
      (node) => `    server ${node.name} ${node.host}:${node.pgPort} maxconn 300 check port ${node.restPort}`,
    )
    .join('\n');
  return render(template('haproxy.cfg'), {
    STATS_PORT: layout.statsPort,
    WRITE_PORT: layout.writePort,
    READ_PORT: layout.readPort,
    PRIMARY_SERVERS: servers,
    REPLICA_SERVERS: servers,
  });
}

export function etcdArguments(layout: ClusterLayout): string[] {
  const clientUrls = [`http://${layout.etcdHost}:${layout.etcdClientPort}`];
  if (layout.etcdHost !== '127.0.0.1') clientUrls.push(`http://127.0.0.1:${layout.etcdClientPort}`);
  return render(template('etcd.args'), {
    ETCD_DATA: layout.etcdData,
    ETCD_HOST: layout.etcdHost,
    ETCD_CLIENT_PORT: layout.etcdClientPort,
    ETCD_PEER_PORT: layout.etcdPeerPort,
    ETCD_LISTEN_CLIENT_URLS: clientUrls.join(','),
  })
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
