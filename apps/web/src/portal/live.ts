import { useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { formatMoney } from '../lib/format.ts';
import { portalKeys, streamUrl } from './api.ts';
import type { OrderEvent } from './api.ts';

/** Statuses of an `order` event that mean money came in. */
const RECEIVED = new Set(['paid', 'succeeded']);

/**
 * The merchant's orders, live: one server-sent-events stream while the portal is open. Every
 * `order` event refreshes the figures and the order lists (whoever took the payment: another
 * till, a customer scanning the poster), and a payment says so ("收到 ¥12.34"). The browser
 * reconnects a dropped stream by itself; a refused one (signed out, removed from the staff) stays
 * closed.
 */
export function useMerchantStream(merchantId: string): void {
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const { t, i18n } = useTranslation();
  // The latest words and language, without reconnecting when the language changes.
  const announce = useRef<(event: OrderEvent) => void>(() => undefined);
  announce.current = (event) => {
    if (event.type === 'refund' || !RECEIVED.has(event.status)) return;
    void message.success({
      content: t('portal.live.received', { amount: formatMoney(event.amount, i18n.language) }),
      className: 'portal-live-message',
      duration: 4,
    });
  };

  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource(streamUrl(merchantId));
    const onOrder = (message: MessageEvent<string>) => {
      void queryClient.invalidateQueries({ queryKey: portalKeys.summary(merchantId) });
      void queryClient.invalidateQueries({ queryKey: portalKeys.orders(merchantId) });
      void queryClient.invalidateQueries({ queryKey: portalKeys.merchant(merchantId) });
      void queryClient.invalidateQueries({ queryKey: portalKeys.settlements(merchantId) });
      try {
        announce.current(JSON.parse(message.data) as OrderEvent);
      } catch {
        // A malformed event still meant something changed: the lists are refreshed.
      }
    };
    source.addEventListener('order', onOrder as EventListener);
    return () => {
      source.removeEventListener('order', onOrder as EventListener);
      source.close();
    };
  }, [merchantId, queryClient]);
}
