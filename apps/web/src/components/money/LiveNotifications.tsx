import { useQueryClient } from '@tanstack/react-query';
import { Toast } from 'antd-mobile';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { transactionsKey } from '../../api/money.ts';

interface LiveNotification {
  id: string;
  kind: string;
  title: string;
  body: string;
}

/**
 * The inbox, live: one server-sent-events stream per signed-in app (the session cookie goes
 * along, same origin). Each new notification refreshes the inbox, the balance and the history
 * and shows its title as a toast ("收到转账 ¥12.34"). Mounted under the sign-in guard, so leaving
 * for the sign-in screen (signing out, a 401) closes the stream.
 */
export function LiveNotifications() {
  const { i18n } = useTranslation();
  const queryClient = useQueryClient();
  const language = i18n.language === 'en' ? 'en' : 'zh-CN';

  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource(`/v1/me/notifications/stream?lang=${language}`);
    const onNotification = (event: MessageEvent<string>) => {
      let notification: LiveNotification | null = null;
      try {
        notification = JSON.parse(event.data) as LiveNotification;
      } catch {
        // A malformed event still means something changed.
      }
      void queryClient.invalidateQueries({ queryKey: ['notifications'] });
      void queryClient.invalidateQueries({ queryKey: ['balance'] });
      void queryClient.invalidateQueries({ queryKey: ['me'] });
      void queryClient.invalidateQueries({ queryKey: transactionsKey });
      void queryClient.invalidateQueries({ queryKey: ['payment-requests'] });
      void queryClient.invalidateQueries({ queryKey: ['kyc'] });
      if (notification?.title) {
        Toast.show({ content: notification.title, position: 'bottom', duration: 3000 });
      }
    };
    source.addEventListener('notification', onNotification as EventListener);
    return () => {
      source.removeEventListener('notification', onNotification as EventListener);
      source.close();
    };
  }, [language, queryClient]);

  return null;
}
