import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Badge, Button, List } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import {
  fetchNotifications,
  fetchUnreadCount,
  markAllNotificationsRead,
  markNotificationRead,
} from '../api/identity.ts';
import type { Notification } from '../api/identity.ts';
import { ButtonRow } from '../components/ListRows.tsx';
import { Page } from '../components/Page.tsx';
import { LoadFailed, Loading } from '../components/States.tsx';
import { formatDateTime } from '../lib/format.ts';

const notificationsKey = ['notifications'] as const;
const unreadKey = [...notificationsKey, 'unread'] as const;

/** Unread messages, for the badges on the tab bar, the home screen and 我的. */
export function useUnreadCount(): number {
  const unread = useQuery({ queryKey: unreadKey, queryFn: fetchUnreadCount });
  return unread.data ?? 0;
}

export function Inbox() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const notifications = useQuery({
    queryKey: [...notificationsKey, 'list', i18n.language],
    queryFn: () => fetchNotifications(i18n.language),
  });
  const markAll = useMutation({
    mutationFn: markAllNotificationsRead,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: notificationsKey }),
  });
  const anyUnread = notifications.data?.some((notification) => !notification.read) ?? false;
  return (
    <Page
      title={t('inbox.title')}
      backTo="/me"
      right={
        anyUnread ? (
          <Button
            fill="none"
            size="small"
            className="nav-text-button"
            loading={markAll.isPending}
            onClick={() => markAll.mutate()}
          >
            {t('inbox.markAllRead')}
          </Button>
        ) : null
      }
    >
      {notifications.isPending ? (
        <Loading />
      ) : notifications.isError ? (
        <LoadFailed error={notifications.error} onRetry={() => void notifications.refetch()} />
      ) : notifications.data.length === 0 ? (
        <p className="empty">{t('inbox.empty')}</p>
      ) : (
        <List className="inbox-list">
          {notifications.data.map((notification) => (
            <InboxItem key={notification.id} notification={notification} />
          ))}
        </List>
      )}
    </Page>
  );
}

/**
 * The screen a money notice is about: a wallet transfer's detail in the history (its id is the
 * ledger transfer id), a top-up's, withdrawal's or bank transfer's own page, 付款码 for a charge
 * to confirm, a red packet's page, a split bill's, a dispute's. Null for the others.
 */
export function noticeTarget(notification: Pick<Notification, 'kind' | 'params'>): string | null {
  const { transferId, fundingId, chargeId, packetId, splitId, disputeId } = notification.params;
  // A dispute's notices (received, refunded, not upheld) open its page.
  if (typeof disputeId === 'string' && disputeId !== '') return `/disputes/${encodeURIComponent(disputeId)}`;
  // A red packet: the sender's notices open its progress, a one-to-one packet's its envelope, a
  // claimed share the list of received packets (a group packet is reached by its link's token).
  if (typeof packetId === 'string' && packetId !== '') {
    const id = encodeURIComponent(packetId);
    if (['redpackets.sent', 'redpackets.finished', 'redpackets.refunded'].includes(notification.kind))
      return `/red-packets/sent/${id}`;
    if (notification.kind === 'redpackets.received') return `/red-packets/${id}`;
    if (notification.kind === 'redpackets.claimed') return '/red-packets?box=received';
  }
  // A split bill: the organiser's notices open its page (who paid, remind, close), a
  // participant's the share to pay (or the receipt of it).
  if (typeof splitId === 'string' && splitId !== '') {
    const id = encodeURIComponent(splitId);
    if (['splits.share_paid', 'splits.refund_sent'].includes(notification.kind)) return `/splits/mine/${id}`;
    return `/splits/${id}`;
  }
  // A till's charge of the payment code waiting for the holder: 付款码 shows it to confirm.
  if (typeof chargeId === 'string' && chargeId !== '') return '/pay-code';
  if (typeof transferId === 'string' && transferId !== '')
    return `/history/${encodeURIComponent(transferId)}`;
  if (typeof fundingId === 'string' && fundingId !== '') return `/funding/${encodeURIComponent(fundingId)}`;
  return null;
}

function InboxItem({ notification }: { notification: Notification }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const target = noticeTarget(notification);
  const markRead = useMutation({
    mutationFn: () => markNotificationRead(notification.id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: notificationsKey }),
  });
  // A money notice opens its transaction; the others unfold their whole text.
  const toggle = () => {
    if (!notification.read && !markRead.isPending) markRead.mutate();
    if (target) void navigate(target);
    else setOpen(!open);
  };
  return (
    <ButtonRow
      className={notification.read ? 'read' : 'unread'}
      prefix={
        notification.read ? null : (
          <>
            <Badge content={Badge.dot} />
            <span className="visually-hidden">{t('inbox.unread')}</span>
          </>
        )
      }
      description={
        <>
          <span className={open ? 'inbox-body open' : 'inbox-body'}>{notification.body}</span>
          <time className="inbox-time" dateTime={notification.createdAt}>
            {formatDateTime(notification.createdAt, i18n.language)}
          </time>
        </>
      }
      onClick={toggle}
      arrow={target !== null}
      {...(target ? {} : { expanded: open })}
    >
      {notification.title}
    </ButtonRow>
  );
}
