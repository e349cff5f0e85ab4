/**
 * The cluster's long-running processes: started detached (they outlive `qianbao cluster up`),
 * each writing to its own log, each recorded in state.json with its pid and kernel start time —
 * so `down` stops exactly what `up` started, never a process that merely reused a pid.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterLayout } from './cluster-layout.ts';

export interface ProcessRecord {
  /** e.g. `etcd`, `patroni-node1`, `haproxy`, `api-1` */
  name: string;
  pid: number;
  /** /proc/<pid>/stat's start time: a pid reused by another program does not match. */
  startTime: string;
  log: string;
}

export interface ClusterState {
  processes: ProcessRecord[];
}

export function readState(layout: ClusterLayout): ClusterState {
  if (!existsSync(layout.stateFile)) return { processes: [] };
  return JSON.parse(readFileSync(layout.stateFile, 'utf8')) as ClusterState;
}

function writeState(layout: ClusterLayout, state: ClusterState): void {
  const staging = `${layout.stateFile}.tmp`;
  writeFileSync(staging, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(staging, layout.stateFile);
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised command, which may hold spaces). */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the recorded process is the one still running (and not a zombie). */
export function isRunning(record: ProcessRecord): boolean {
  if (processStartTime(record.pid) !== record.startTime) return false;
  try {
    const stat = readFileSync(`/proc/${record.pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function runningRecord(layout: ClusterLayout, name: string): ProcessRecord | null {
  const record = readState(layout).processes.find((entry) => entry.name === name);
  return record !== undefined && isRunning(record) ? record : null;
}

/**
 * Start `command` detached, in a session of its own, output appended to logs/<name>.log, and
 * record it (replacing an older record of the same name).
 */
export function startProcess(
  layout: ClusterLayout,
  input: { name: string; command: string; args: readonly string[]; env?: NodeJS.ProcessEnv; cwd?: string },
): ProcessRecord {
  mkdirSync(layout.logDir, { recursive: true });
  const log = path.join(layout.logDir, `${input.name}.log`);
  const fd = openSync(log, 'a');
  try {
    const child = spawn(input.command, input.args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: input.env ?? process.env,
      ...(input.cwd === undefined ? {} : { cwd: input.cwd }),
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${input.command}`);
    const record = { name: input.name, pid: child.pid, startTime: processStartTime(child.pid) ?? '', log };
    const state = readState(layout);
    writeState(layout, {
      processes: [...state.processes.filter((entry) => entry.name !== input.name), record],
    });
    return record;
  } finally {
    closeSync(fd);
  }
}

/** Signal a recorded process if it is still the one we started. */
export function signalProcess(record: ProcessRecord, signal: NodeJS.Signals): boolean {
  if (!isRunning(record)) return false;
  try {
    process.kill(record.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL. Resolves once the process is gone. */
export async function stopProcess(record: ProcessRecord, graceMs: number): Promise<void> {
  if (!signalProcess(record, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (isRunning(record) && Date.now() < deadline) await sleep(100);
  if (signalProcess(record, 'SIGKILL')) while (isRunning(record)) await sleep(50);
}

/** Forget records of processes that are gone. */
export function forgetStopped(layout: ClusterLayout): void {
  const state = readState(layout);
  writeState(layout, { processes: state.processes.filter(isRunning) });
}

/** The last lines of a log, to explain a failure. */
export function tail(log: string, lines = 20): string {
  if (!existsSync(log)) return '';
  return readFileSync(log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** The pid in the first line of a PostgreSQL data directory's postmaster.pid, or null. */
export function postmasterPid(pgData: string): number | null {
  try {
    const pid = Number.parseInt(
      readFileSync(path.join(pgData, 'postmaster.pid'), 'utf8').split('\n')[0]!,
      10,
    );
    return Number.isSafeInteger(pid) && pid > 0 && processStartTime(pid) !== null ? pid : null;
  } catch {
    return null;
  }
}

/** Direct children of a process (PostgreSQL's backends and workers under its postmaster). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
