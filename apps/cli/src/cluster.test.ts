/**
 * `qianbao cluster`'s pieces that need no running cluster: the layout (ports, names, addresses),
 * the rendered configuration of Patroni, HAProxy and etcd, the outage measured from commit
 * times, and the command's answers to bad arguments and to a folder with no cluster. The cluster
 * itself: test/cluster/failover.test.ts.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { longestGap } from '../../../bench/failover-load.ts';
import { clusterLayout, etcdArguments, haproxyConfig, patroniConfig, render } from './cluster-layout.ts';
import { runQianbao as qianbao } from './testing.ts';

const secrets = {
  superuserPassword: 'pw-super',
  replicationPassword: 'pw-repl',
  secretKey: Buffer.alloc(32, 1).toString('base64'),
  adminToken: 'token',
};

describe('cluster layout', () => {
  it('derives ports, names and addresses from the port base', () => {
    const layout = clusterLayout({ data: '/tmp/c', portBase: 25400, namespaces: true });
    const ports = [
      layout.writePort,
      layout.readPort,
      layout.statsPort,
      ...layout.apiPorts,
      ...layout.nodes.flatMap((node) => [node.pgPort, node.restPort]),
      layout.etcdClientPort,
      layout.etcdPeerPort,
    ];
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports).not.toContain(5432);
    expect(layout.nodes.map((node) => node.host)).toEqual(['10.77.4.11', '10.77.4.12', '10.77.4.13']);
    // Linux interface names are at most 15 characters.
    for (const name of [layout.bridge, ...layout.nodes.flatMap((node) => [node.veth, node.namespace!])])
      expect(name.length).toBeLessThanOrEqual(15);
    const other = clusterLayout({ data: '/tmp/d', portBase: 25600, namespaces: true });
    expect(other.subnetPrefix).not.toBe(layout.subnetPrefix);
    expect(other.bridge).not.toBe(layout.bridge);
    const flat = clusterLayout({ data: '/tmp/c', portBase: 25400, namespaces: false });
    expect(flat.nodes.every((node) => node.host === '127.0.0.1' && node.namespace === null)).toBe(true);
  });

  it('renders every placeholder, with synchronous replication on', () => {
    const layout = clusterLayout({ data: '/tmp/c', portBase: 25400, namespaces: true });
    const patroni = patroniConfig(layout, layout.nodes[1]!, secrets);
    expect(patroni).not.toMatch(/\$\{/);
    expect(patroni).toMatch(/^ {4}synchronous_mode: true$/m);
    expect(patroni).toContain('name: node2');
    expect(patroni).toContain('listen: 10.77.4.12:25432');
    expect(patroni).toContain('hosts: 10.77.4.1:25479');
    const haproxy = haproxyConfig(layout);
    expect(haproxy).toContain('option httpchk GET /primary');
    expect(haproxy).toContain('option httpchk GET /replica');
    expect(haproxy).toContain('server node3 10.77.4.13:25433 maxconn 300 check port 25443');
    const etcd = etcdArguments(layout);
    expect(etcd).toContain('--listen-client-urls=http://10.77.4.1:25479,http://127.0.0.1:25479');
    expect(etcd.every((argument) => argument.startsWith('--'))).toBe(true);
    expect(() => render('${MISSING}', {})).toThrow('no value for ${MISSING}');
  });

  it.skipIf(!existsSync('/usr/sbin/haproxy'))('writes a configuration HAProxy accepts', () => {
    const layout = clusterLayout({ data: '/tmp/c', portBase: 25400, namespaces: false });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'qianbao-haproxy-')), 'haproxy.cfg');
    writeFileSync(file, haproxyConfig(layout));
    const check = spawnSync('/usr/sbin/haproxy', ['-c', '-f', file], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
  });
});

describe('the outage, from commit times', () => {
  it('is the longest pause from the window on', () => {
    expect(longestGap([0, 10, 20, 5000, 5010, 30], 5)).toEqual({ from: 30, to: 5000 });
    expect(longestGap([1], 0)).toBeNull();
  });
});

describe('qianbao cluster', () => {
  it('refuses unknown subcommands and bad options', async () => {
    const unknown = await qianbao(['cluster', 'sideways']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown subcommand "sideways"');
    const port = await qianbao(['cluster', 'status', '--port-base', '80']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port-base must be a whole number from 1024 to 65000');
  });

  it('says there is no leader where no cluster runs', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'qianbao-no-cluster-'));
    const status = await qianbao(['cluster', 'status', '--data', data, '--port-base', '25700']);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('Leader:        none');
    expect(status.stdout).toContain('(no Patroni REST API answers)');
    const switchover = await qianbao(['cluster', 'switchover', '--data', data, '--port-base', '25700']);
    expect(switchover.code).toBe(1);
    expect(switchover.stderr).toContain('No leader to switch over from.');
  });
});
