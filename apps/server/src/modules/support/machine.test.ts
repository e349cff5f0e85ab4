import { describe, expect, it } from 'vitest';
import { TICKET_STATUSES, isOpen, mayRate, nextStatus } from './machine.ts';
import type { TicketEvent, TicketStatus } from './machine.ts';

const EVENTS: TicketEvent[] = ['holder_message', 'operator_message', 'system_message', 'resolve', 'close'];

describe('the ticket machine', () => {
  it('follows the documented table, every status × event', () => {
    const table: Record<TicketStatus, Record<TicketEvent, TicketStatus | null>> = {
      open: {
        holder_message: 'open',
        operator_message: 'pending_holder',
        system_message: 'open',
        resolve: 'resolved',
        close: 'closed',
      },
      pending_staff: {
        holder_message: 'pending_staff',
        operator_message: 'pending_holder',
        system_message: 'pending_staff',
        resolve: 'resolved',
        close: 'closed',
      },
      pending_holder: {
        holder_message: 'pending_staff',
        operator_message: 'pending_holder',
        system_message: 'pending_holder',
        resolve: 'resolved',
        close: 'closed',
      },
      resolved: {
        holder_message: 'pending_staff',
        operator_message: 'pending_holder',
        system_message: 'resolved',
        resolve: null,
        close: 'closed',
      },
      closed: {
        holder_message: null,
        operator_message: null,
        system_message: null,
        resolve: null,
        close: null,
      },
    };
    for (const status of TICKET_STATUSES)
      for (const event of EVENTS)
        expect([status, event, nextStatus(status, event)]).toEqual([status, event, table[status][event]]);
  });

  it('closed is final and every other status can reach it', () => {
    for (const status of TICKET_STATUSES) {
      for (const event of EVENTS) expect(nextStatus('closed', event)).toBeNull();
      if (status !== 'closed') expect(nextStatus(status, 'close')).toBe('closed');
    }
  });

  it('open counts toward the limit until resolved; rating only once resolved or closed', () => {
    expect(TICKET_STATUSES.filter(isOpen)).toEqual(['open', 'pending_staff', 'pending_holder']);
    expect(TICKET_STATUSES.filter(mayRate)).toEqual(['resolved', 'closed']);
  });
});
