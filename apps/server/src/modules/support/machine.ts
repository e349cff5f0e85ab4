/**
 * A ticket's statuses and what moves them (docs/support.md has the diagram). Pure: the service
 * reads the ticket under a row lock, asks `nextStatus`, and writes the answer with the change.
 *
 *   open ──operator message──▶ pending_holder ◀──operator message── pending_staff
 *     │                           │      ▲                               ▲   │
 *     │                           │      └────────────── holder message ─┘   │
 *     └──────── resolve ──────────┴──────────▶ resolved ◀──── resolve ───────┘
 *                                               │  ▲ holder message: pending_staff (reopened)
 *                                               ▼
 *   any but closed ─────────── close ────────▶ closed (final; the auto-close job too)
 */
export const TICKET_STATUSES = ['open', 'pending_staff', 'pending_holder', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export type TicketEvent =
  | 'holder_message'
  | 'operator_message'
  /** A note from the system (a chat fell back, hours): the status stays. */
  | 'system_message'
  | 'resolve'
  | 'close';

/** The status after `event`, or null when the event is not allowed in `status`. */
export function nextStatus(status: TicketStatus, event: TicketEvent): TicketStatus | null {
  if (status === 'closed') return null;
  switch (event) {
    case 'holder_message':
      // The holder writes: staff's turn (a resolved ticket reopens); a new ticket stays open.
      return status === 'open' ? 'open' : 'pending_staff';
    case 'operator_message':
      return 'pending_holder';
    case 'system_message':
      return status;
    case 'resolve':
      return status === 'resolved' ? null : 'resolved';
    case 'close':
      return 'closed';
  }
}

/** Still being worked on: counts toward the holder's limit of open tickets. */
export function isOpen(status: TicketStatus): boolean {
  return status !== 'resolved' && status !== 'closed';
}

/** A satisfaction rating is asked for once the ticket is resolved or closed. */
export function mayRate(status: TicketStatus): boolean {
  return status === 'resolved' || status === 'closed';
}
