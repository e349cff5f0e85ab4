/**
 * How history describes splits' movements (the history module asks by the ledger transfers' user
 * data): a share's payment (`split-share:<shareId>`) and its refund (`split-refund:<shareId>`)
 * name the other side — the organiser to the participant, the participant to the organiser — and
 * the split's title as the note. Only the viewer's own movements are described.
 */
import type { LedgerDescription } from '../history/projector.ts';
import type { SplitsStore } from './store.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PREFIXES = ['split-share:', 'split-refund:'] as const;

export class SplitHistory {
  constructor(private readonly store: Pick<SplitsStore, 'sharesForHistory'>) {}

  async describeLedgerTransfers(input: {
    viewerUserId: string;
    transfers: readonly { id: string; userData: string | null }[];
  }): Promise<Map<string, LedgerDescription>> {
    const marked = input.transfers.flatMap((transfer) => {
      const prefix = PREFIXES.find((p) => transfer.userData?.startsWith(p));
      const shareId = prefix ? transfer.userData!.slice(prefix.length) : null;
      return shareId && UUID.test(shareId) ? [{ transferId: transfer.id, shareId }] : [];
    });
    const described = new Map<string, LedgerDescription>();
    if (marked.length === 0) return described;
    const shares = new Map(
      (await this.store.sharesForHistory([...new Set(marked.map((m) => m.shareId))], input.viewerUserId)).map(
        (row) => [row.shareId, row],
      ),
    );
    for (const { transferId, shareId } of marked) {
      const share = shares.get(shareId);
      if (!share) continue;
      const organiserViews = share.organiserUserId === input.viewerUserId;
      described.set(transferId, {
        counterparty: {
          displayName: organiserViews ? (share.participantDisplay ?? '***') : share.organiserDisplay,
        },
        note: share.title,
        fundingId: null,
      });
    }
    return described;
  }
}
