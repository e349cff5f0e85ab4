/**
 * The journal head anchored outside the database (ADR 0010, "Limits of the guarantee"): after
 * ledger batches commit, at most once every `intervalMs` and only when the head has moved, the
 * server appends a keyed checkpoint (`seq, hash, at, mac`) as one JSON line to a file and logs the
 * same checkpoint as one info line (`msg: "journal checkpoint"`) for the log store. `qianbao
 * verify --checkpoints` then catches a journal whose newest records were removed and whose head
 * was set back: a cut the keyed chain alone cannot show.
 *
 * The head comes from the batches themselves (`onBatch`): no query on the hot path. Each line is
 * self-contained and written with one `write` on a descriptor opened with O_APPEND, so several
 * server processes can append to the same file.
 *
 * The operator audit log's head is anchored the same way, in the same file (ADR 0024): its lines
 * name their chain (`"chain":"operator-audit"`, modules/operator/audit-checkpoint.ts) and are
 * logged as `audit checkpoint`. An audit entry may commit inside its action's transaction, after
 * the hook that reports it (`observeAudit`) ran: so the timer reads the committed head from the
 * database (`audit.head`) rather than trusting the report, reads it once more an interval later
 * (an entry committed in between), and once more at close.
 */
import { createReadStream, mkdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { checkpointKeyFrom, checkpointLine, makeCheckpoint } from '@qianbao/ledger';
import type { BatchInfo } from '@qianbao/ledger';
import {
  auditCheckpointKeyFrom,
  auditCheckpointLine,
  makeAuditCheckpoint,
} from './modules/operator/audit-checkpoint.ts';

export interface JournalCheckpointOptions {
  /** The file lines are appended to (created, with its directory, if missing). */
  file: string;
  /** Least time between two checkpoints of this process (a clean shutdown writes at once). */
  intervalMs: number;
  /** The journal key; checkpoints are keyed with a key derived from it (`checkpointKeyFrom`). */
  journalKey: Uint8Array;
  /** The operator audit log's part: its chain key (`auditKeyFrom`) and its committed head. */
  audit?: {
    key: Uint8Array;
    head: () => Promise<{ seq: bigint; hash: Buffer } | null>;
  };
}

type JournalHead = BatchInfo['journalHead'];
/** What the checkpoints log on: the app's logger (pino) fits. */
export interface CheckpointLog {
  info(object: object, message: string): void;
  error(object: object, message: string): void;
}

/** Longest line `checkpointFileLines` reads; a checkpoint takes about 190 characters. */
const MAX_LINE_CHARACTERS = 4096;
/**
 * Reads of the audit head owed after an append: one when the timer fires, one an interval later
 * for an entry whose transaction committed after the first read.
 */
const AUDIT_READS_PER_APPEND = 2;

export class JournalCheckpoints {
  /** The newest head a batch of this process reported. */
  private head: JournalHead | null = null;
  /** The newest head this process has checkpointed. */
  private checkpointedSeq = 0n;
  private lastCheckpointMs = Number.NEGATIVE_INFINITY;
  /** The pending checkpoint: one timer at most, armed only once the head has moved. */
  private timer: NodeJS.Timeout | null = null;
  /** Writes run one after another, in order. */
  private writing: Promise<void> = Promise.resolve();
  private log: CheckpointLog | null = null;
  private closed = false;
  /** The audit checkpoints' key; null without an audit part. */
  private readonly auditKey: Buffer | null;
  /** Timer runs still owed a read of the audit head. */
  private auditReadsDue = 0;
  /** An audit entry was appended in this process: close reads the head once more. */
  private auditObserved = false;
  /** The audit head this process last checkpointed. */
  private auditCheckpointed: { seq: bigint; hash: Buffer } | null = null;

  private constructor(
    private readonly handle: FileHandle,
    private readonly key: Buffer,
    private readonly options: JournalCheckpointOptions,
  ) {
    this.auditKey = options.audit ? auditCheckpointKeyFrom(options.audit.key) : null;
  }

  /** Open (or create) the file now, so that a path the server cannot write stops it at start. */
  static async open(options: JournalCheckpointOptions): Promise<JournalCheckpoints> {
    mkdirSync(path.dirname(options.file), { recursive: true, mode: 0o700 });
    // 'a': O_WRONLY | O_CREAT | O_APPEND; every write goes to the end, whoever else appends.
    const handle = await open(options.file, 'a', 0o640);
    return new JournalCheckpoints(handle, checkpointKeyFrom(options.journalKey), options);
  }

  /**
   * After each committed batch (the ledger's `onBatch`): remembers the head and arms the timer.
   * Constant time; the checkpoint itself is made by the timer.
   */
  observe(head: JournalHead): void {
    if (this.head !== null && head.seq <= this.head.seq) return;
    this.head = head;
    this.schedule();
  }

  /**
   * After each operator audit append (app.ts `onAuditAppended`): arms the timer, which reads the
   * committed audit head. Constant time; no query here.
   */
  observeAudit(): void {
    if (this.auditKey === null) return;
    this.auditObserved = true;
    this.auditReadsDue = AUDIT_READS_PER_APPEND;
    this.schedule();
  }

  /**
   * Begin writing, logging each checkpoint on `log` (the app's logger, which exists only after
   * the ledger does). Heads observed before are checkpointed then.
   */
  start(log: CheckpointLog): void {
    this.log = log;
    this.schedule();
  }

  /** Checkpoint the last head at once if it moved (a clean shutdown), then close the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    // The last read of the audit head: an entry committed since the timer's read is covered here.
    if (this.auditObserved) this.auditReadsDue = 1;
    await this.enqueue();
    await this.handle.close();
  }

  private schedule(): void {
    if (this.log === null || this.closed || this.timer !== null) return;
    const journalDue = this.head !== null && this.head.seq !== this.checkpointedSeq;
    if (!journalDue && this.auditReadsDue === 0) return;
    const delayMs = Math.max(0, this.lastCheckpointMs + this.options.intervalMs - Date.now());
    // A one-shot timer, armed only when the head moved, rather than a job in the database queue:
    // the checkpoint is this process's own head, and must not depend on the database it anchors.
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.enqueue();
    }, delayMs);
    this.timer.unref();
  }

  private enqueue(): Promise<void> {
    this.writing = this.writing.then(() => this.checkpoint());
    return this.writing;
  }

  /** Never rejects: a checkpoint that cannot be written must not stop the money. */
  private async checkpoint(): Promise<void> {
    await this.journalCheckpoint();
    await this.auditCheckpoint();
    this.schedule(); // a head that arrived while this one was written, or an audit read still owed
  }

  private async journalCheckpoint(): Promise<void> {
    const head = this.head;
    if (head === null || head.seq === this.checkpointedSeq) return;
    const record = makeCheckpoint(this.key, head, new Date());
    this.checkpointedSeq = head.seq;
    this.lastCheckpointMs = Date.now();
    // The log line first: it is an anchor of its own, whatever happens to the file.
    this.log?.info({ checkpoint: record }, 'journal checkpoint');
    await this.append(checkpointLine(record), 'journal checkpoint');
  }

  /** Reads the committed audit head and checkpoints it if it moved since this process's last. */
  private async auditCheckpoint(): Promise<void> {
    if (this.auditKey === null || this.options.audit === undefined || this.auditReadsDue === 0) return;
    this.auditReadsDue -= 1;
    this.lastCheckpointMs = Date.now();
    let head: { seq: bigint; hash: Buffer } | null;
    try {
      head = await this.options.audit.head();
    } catch (error) {
      this.log?.error({ err: error }, 'audit checkpoint: the audit head could not be read');
      return;
    }
    const last = this.auditCheckpointed;
    if (head === null || (last !== null && last.seq === head.seq && last.hash.equals(head.hash))) return;
    const record = makeAuditCheckpoint(this.auditKey, head, new Date());
    this.auditCheckpointed = head;
    this.log?.info({ checkpoint: record }, 'audit checkpoint');
    await this.append(auditCheckpointLine(record), 'audit checkpoint');
  }

  private async append(text: string, what: string): Promise<void> {
    try {
      const line = Buffer.from(`${text}\n`);
      // One write(2) of one whole line: appends from other processes cannot split it.
      const { bytesWritten } = await this.handle.write(line);
      if (bytesWritten !== line.length) throw new Error(`wrote ${bytesWritten} of ${line.length} bytes`);
      await this.handle.datasync();
    } catch (error) {
      this.log?.error({ err: error, file: this.options.file }, `${what} not written to its file`);
    }
  }
}

/**
 * The complete lines of a checkpoint file as it stands now, read lazily. The size is taken at
 * the call, so a reader that then opens a database snapshot (verify) reads only checkpoints of
 * records committed before it. A last line without its newline is being written (or was cut by
 * a crash): it is left out.
 */
export function checkpointFileLines(file: string): AsyncIterable<string> {
  const { size } = statSync(file);
  return completeLines(file, size);
}

async function* completeLines(file: string, size: number): AsyncGenerator<string> {
  if (size === 0) return;
  let rest = '';
  let lineNumber = 0;
  for await (const chunk of createReadStream(file, { start: 0, end: size - 1, encoding: 'utf8' })) {
    const parts = (rest + (chunk as string)).split('\n');
    rest = parts.pop()!;
    for (const part of parts) {
      lineNumber++;
      yield part;
    }
    if (rest.length > MAX_LINE_CHARACTERS) {
      throw new Error(`${file} is not a checkpoint file: line ${lineNumber + 1} is too long`);
    }
  }
}
