/**
 * How history describes red packets' movements (the history module asks by the ledger
 * transfers' user data): sending (`red-packet:<id>`) names the recipient, or 群红包 for a group,
 * and the greeting; a claim (`red-packet-claim:<id>`) names the sender and the greeting; a refund
 * (`red-packet-refund:<id>`) the greeting. Only the viewer's own movements are described.
 */
import type { LedgerDescription } from '../history/projector.ts';
import type { RedPacketsStore } from './store.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GROUP = '群红包';

export class RedPacketHistory {
  constructor(private readonly store: Pick<RedPacketsStore, 'claimsForHistory' | 'packetsForHistory'>) {}

  async describeLedgerTransfers(input: {
    viewerUserId: string;
    transfers: readonly { id: string; userData: string | null }[];
  }): Promise<Map<string, LedgerDescription>> {
    const byPrefix = (prefix: string) =>
      input.transfers.flatMap((transfer) => {
        const id = transfer.userData?.startsWith(prefix) ? transfer.userData.slice(prefix.length) : null;
        return id && UUID.test(id) ? [{ transferId: transfer.id, id }] : [];
      });
    const sent = byPrefix('red-packet:');
    const refunds = byPrefix('red-packet-refund:');
    const claims = byPrefix('red-packet-claim:');
    const described = new Map<string, LedgerDescription>();
    const own = [...sent, ...refunds];
    if (own.length > 0) {
      const packets = new Map(
        (await this.store.packetsForHistory([...new Set(own.map((o) => o.id))], input.viewerUserId)).map(
          (row) => [row.id, row],
        ),
      );
      for (const { transferId, id } of own) {
        const packet = packets.get(id);
        if (!packet) continue;
        described.set(transferId, {
          counterparty: { displayName: packet.recipient_display ?? GROUP },
          note: packet.greeting,
          fundingId: null,
        });
      }
    }
    if (claims.length > 0) {
      const found = new Map(
        (
          await this.store.claimsForHistory(
            claims.map((c) => c.id),
            input.viewerUserId,
          )
        ).map((row) => [row.claimId, row]),
      );
      for (const { transferId, id } of claims) {
        const row = found.get(id);
        if (!row) continue;
        described.set(transferId, {
          counterparty: { displayName: row.senderDisplay },
          note: row.greeting,
          fundingId: null,
        });
      }
    }
    return described;
  }
}
