/**
 * A whole transaction in one round trip: one simple-protocol Query holding every statement
 * (COPY … FROM STDIN among them), followed at once by the data of each COPY, in order.
 *
 * PostgreSQL reads the socket only when a statement needs input, so data sent ahead waits there
 * until its COPY starts. When a statement fails, the server skips the rest of the Query, sends
 * ReadyForQuery and drops any COPY data still to come (protocol documentation, "COPY
 * Operations": "any subsequent CopyData, CopyDone, or CopyFail messages issued by the frontend
 * will simply be dropped"); an explicit transaction is then left aborted, for the caller to
 * ROLLBACK. So a failure can never half-apply, and nothing between the statements waits for this
 * process: a batch holds the ledger's lock only for as long as the server needs to do its work.
 *
 * Implements node-pg's Submittable (as pg-copy-streams does): node-pg hands it the protocol
 * messages of the Query until ReadyForQuery.
 */
import type pg from 'pg';

interface Connection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

export interface ScriptResult {
  /** The command tag of each statement that ran, in order ("BEGIN", "COPY 4000", "COMMIT" …). */
  commands: string[];
  /** The rows of the statements that returned any, as text. */
  rows: (string | null)[][];
}

class Script {
  readonly done: Promise<ScriptResult>;
  private readonly result: ScriptResult = { commands: [], rows: [] };
  private resolve!: (result: ScriptResult) => void;
  private reject!: (error: unknown) => void;

  constructor(
    private readonly text: string,
    private readonly copies: readonly Buffer[],
  ) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: Connection): void {
    connection.query(this.text);
    for (const data of this.copies) {
      connection.sendCopyFromChunk(data);
      connection.endCopyFrom();
    }
  }

  handleRowDescription(): void {}

  handleDataRow(message: { fields: (string | null)[] }): void {
    this.result.rows.push(message.fields);
  }

  handleCommandComplete(message: { text: string }): void {
    this.result.commands.push(message.text);
  }

  /** The data is already on its way. */
  handleCopyInResponse(): void {}

  handleEmptyQuery(): void {}

  handlePortalSuspended(): void {}

  /** node-pg calls no other handler of this query after an error (not even ReadyForQuery). */
  handleError(error: unknown): void {
    this.reject(error);
  }

  handleReadyForQuery(): void {
    this.resolve(this.result);
  }

  /** Present so that node-pg can wrap it with its query_timeout handling. */
  callback(): void {}
}

/**
 * Run `text` (statements separated by semicolons, no parameters: every value in it must be a
 * literal the caller made safe) with `copies` as the data of its COPY … FROM STDIN statements.
 */
export function runScript(
  client: pg.PoolClient,
  text: string,
  copies: readonly Buffer[] = [],
): Promise<ScriptResult> {
  return client.query(new Script(text, copies) as unknown as pg.Submittable & Script).done;
}
