import { parentPort, workerData } from 'node:worker_threads';
import { createPool } from '@qianbao/db';
import { Ledger } from '@qianbao/ledger';
import { serializeError } from './protocol.ts';
import type { FromWorker, ToWorker, WorkerConfig } from './protocol.ts';
import { BatchTimer } from '../tracing-batches.ts';

/**
 * The ledger thread: one `Ledger` whose batches run on this event loop alone, and so do the voids
 * of expired holds, which the server's job queue asks for (`expirePending`, ADR 0013).
 */

const port = parentPort;
if (!port) throw new Error('ledger-thread/worker.ts runs as a worker thread');
const config = workerData as WorkerConfig;
const send = (message: FromWorker) => port.postMessage(message);

const pool = createPool({
  connectionString: config.connectionString,
  max: config.writerConnections,
  applicationName: 'qianbao-ledger',
});
// Tracing on: batches timed and reported with the traced calls they served (tracing-batches.ts).
const timer = config.tracing
  ? new BatchTimer((batch, calls) => send({ type: 'batchTrace', batch, calls }))
  : null;
timer?.watch(pool);

try {
  const ledger = await Ledger.open(pool, {
    ...config.ledger,
    writerPool: pool,
    onBatch: (info) => {
      send({ type: 'batch', info, stats: ledger.stats() });
      timer?.committed(info);
    },
  });
  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'createTransfers':
        ledger.createTransfers(message.inputs).then(
          (outcomes) => {
            if (message.trace) timer?.served(message.id);
            send({ type: 'result', id: message.id, outcomes });
          },
          (error: unknown) => send({ type: 'result', id: message.id, error: serializeError(error) }),
        );
        return;
      case 'expirePending':
        ledger.expirePending().then(
          (count) => send({ type: 'expired', id: message.id, count }),
          (error: unknown) => send({ type: 'expired', id: message.id, error: serializeError(error) }),
        );
        return;
      case 'close':
        void ledger
          .close()
          .then(() => pool.end())
          .finally(() => process.exit(0));
        return;
    }
  });
  send({ type: 'ready' });
} catch (error) {
  await pool.end().catch(() => {});
  send({ type: 'fatal', error: serializeError(error) });
}
