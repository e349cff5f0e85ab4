/**
 * History's outbox subscriber (ADR 0015): a transfer's record (transfers) or a bank transfer's
 * operation (funding) may be committed a moment after the ledger batch, and the projector may
 * have written the entry in between, described by its ledger code only. The record's event
 * describes the entries of its ledger transfers again. Idempotent: the same description is
 * written again, and a described entry never goes back (store.ts `describe`).
 */
import { defineSubscriber } from '../../outbox/index.ts';
import type { OutboxEvent, Subscriber } from '../../outbox/index.ts';
import { FUNDING_EVENTS } from '../funding/index.ts';
import type { FundingEventPayload } from '../funding/index.ts';
import { TRANSFER_EVENTS } from '../transfers/index.ts';
import type { TransferSucceededPayload } from '../transfers/index.ts';
import { HISTORY_SUBSCRIBER } from './names.ts';
import type { HistoryProjector } from './projector.ts';
import type { Entry, HistoryStore } from './store.ts';

export { HISTORY_SUBSCRIBER } from './names.ts';

export function historySubscriber(deps: {
  store: HistoryStore;
  projector: Pick<HistoryProjector, 'describe'>;
}): Subscriber {
  // One batch of events: one look for the transfers' entries still waiting for a description (a
  // partial index of those), and one per funding operation (rare). Entries not projected yet need
  // nothing: the record is there when the projector describes them. One projected in the moment
  // before its record and committed just after this look is described again by the job
  // (`redescribeRecent`) or by a read.
  const handleBatch = async (events: readonly OutboxEvent[]): Promise<void> => {
    const transferIds: string[] = [];
    const waiting: Entry[] = [];
    for (const event of events) {
      if (event.type === TRANSFER_EVENTS.succeeded || event.type === TRANSFER_EVENTS.held) {
        transferIds.push((event.payload as TransferSucceededPayload).transferId);
      } else {
        // funding.succeeded / funding.failed: every ledger transfer of the operation (holds, post
        // or release, fee) carries `funding:<id>` (funding's describeLedgerTransfers).
        const payload = event.payload as FundingEventPayload;
        const entries = await deps.store.ofUserData(payload.userId, `funding:${payload.fundingId}`);
        waiting.push(...entries.filter((entry) => !entry.described));
      }
    }
    if (transferIds.length > 0) waiting.push(...(await deps.store.undescribedOfTransfers(transferIds)));
    if (waiting.length === 0) return;
    await deps.store.describe(await deps.projector.describe(waiting));
  };
  return defineSubscriber({
    name: HISTORY_SUBSCRIBER,
    types: [TRANSFER_EVENTS.succeeded, TRANSFER_EVENTS.held, FUNDING_EVENTS.succeeded, FUNDING_EVENTS.failed],
    handle: (event) => handleBatch([event]),
    handleBatch,
  });
}
