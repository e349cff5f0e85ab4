import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Tabs } from 'antd-mobile';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { fetchMyRedPackets, fetchSentRedPacket, redPacketsKey, refOf } from '../../api/red-packets.ts';
import type { RedPacket } from '../../api/red-packets.ts';
import { Page } from '../../components/Page.tsx';
import { ShareLinkCard } from '../../components/share/ShareLinkCard.tsx';
import { LoadFailed, Loading } from '../../components/States.tsx';
import { formatDateTime, formatMoney } from '../../lib/format.ts';
import { DetailRows, ResultHead } from '../money/parts.tsx';
import { ClaimsList, Envelope, RedPacketError, progressLine, splitLabel, statusLabel } from './parts.tsx';

/** While a packet is open, its sender's page asks again this often (claims come in live). */
const POLL_MS = 3000;
/** A sent packet's claims are pushed live; this is only the fallback of a dropped stream. */
const LIVE_FALLBACK_MS = 15_000;

/** 我的红包: send one, and the packets received and sent, newest first. */
export function RedPacketsMine() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [search, setSearch] = useSearchParams();
  const box = search.get('box') === 'sent' ? 'sent' : 'received';
  return (
    <Page title={t('redPackets.mineTitle')} backTo="/">
      <section className="rp-hub" aria-label={t('redPackets.send')}>
        <Envelope cover="classic" small />
        <Button
          shape="rounded"
          size="large"
          className="rp-hub-send"
          onClick={() => void navigate('/red-packets/new')}
        >
          {t('redPackets.send')}
        </Button>
      </section>
      <Tabs
        activeKey={box}
        onChange={(key) => setSearch(key === 'sent' ? { box: 'sent' } : {}, { replace: true })}
        className="rp-tabs"
      >
        <Tabs.Tab title={t('redPackets.received')} key="received">
          <PacketList box="received" />
        </Tabs.Tab>
        <Tabs.Tab title={t('redPackets.sent')} key="sent">
          <PacketList box="sent" />
        </Tabs.Tab>
      </Tabs>
    </Page>
  );
}

function PacketList(props: { box: 'sent' | 'received' }) {
  const { t, i18n } = useTranslation();
  const list = useQuery({
    queryKey: [...redPacketsKey, 'list', props.box],
    queryFn: () => fetchMyRedPackets(props.box),
    refetchInterval: POLL_MS * 5,
  });
  if (list.isPending) return <Loading />;
  if (list.isError) return <LoadFailed error={list.error} onRetry={() => void list.refetch()} />;
  if (list.data.length === 0) {
    return (
      <p className="rp-empty">
        {props.box === 'sent' ? t('redPackets.emptySent') : t('redPackets.emptyReceived')}
      </p>
    );
  }
  const money = (value: RedPacket['total']) => formatMoney(value, i18n.language);
  return (
    <>
      <p className="rp-list-count">
        {props.box === 'sent'
          ? t('redPackets.sentTotal', { count: list.data.length })
          : t('redPackets.receivedTotal', { count: list.data.length })}
      </p>
      <ul className="rp-list" data-testid={`rp-list-${props.box}`}>
        {list.data.map((packet) => (
          <li key={packet.id}>
            <Link
              to={props.box === 'sent' ? `/red-packets/sent/${packet.id}` : `/red-packets/${refOf(packet)}`}
              className="rp-list-item"
              data-testid="rp-list-item"
            >
              <Envelope cover={packet.cover} small />
              <span className="rp-list-text">
                <span className="rp-list-title">
                  {props.box === 'sent'
                    ? packet.recipient
                      ? t('redPackets.sheetTitleSingle', { name: packet.recipient.displayName })
                      : splitLabel(packet.split)
                    : t('redPackets.fromSender', { name: packet.sender.displayName })}
                </span>
                <span className="rp-list-sub">{packet.greeting}</span>
                <span className="rp-list-time">{formatDateTime(packet.createdAt, i18n.language)}</span>
              </span>
              <span className="rp-list-end">
                {props.box === 'sent' ? (
                  <>
                    <span className="amount">{money(packet.total)}</span>
                    <span className="rp-list-status">
                      {statusLabel(packet)}
                      {packet.kind === 'group'
                        ? ` ${packet.shareCount - packet.remainingCount}/${packet.shareCount}`
                        : ''}
                    </span>
                  </>
                ) : packet.myClaim ? (
                  <span className="amount">{money(packet.myClaim.amount)}</span>
                ) : (
                  <span className="rp-list-status unopened">{t('redPackets.notOpened')}</span>
                )}
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}

/**
 * A sent packet, as its sender follows it: how many are claimed and how much is left, who
 * claimed how much (手气最佳 when all are gone), what went back after 24 hours. Each claim is
 * pushed while it is open (GET /v1/me/red-packets/:id/stream), read again every 15 s besides. Just sent (`?sent=1`): a group packet's link and QR code to share.
 */
export function SentRedPacket() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const [search] = useSearchParams();
  // Just sent: said until the first claim comes in (the page stays open to follow the claims).
  const justSent = search.get('sent') === '1';
  const queryClient = useQueryClient();
  const packet = useQuery({
    queryKey: [...redPacketsKey, 'sent', id],
    queryFn: () => fetchSentRedPacket(id),
    // Claims are pushed (below); asking again now and then covers a stream that dropped one.
    refetchInterval: (query) => (query.state.data?.status === 'open' ? LIVE_FALLBACK_MS : false),
    retry: false,
  });
  const open = packet.data?.status === 'open';
  useEffect(() => {
    if (!open || typeof EventSource === 'undefined') return;
    const source = new EventSource(`/v1/me/red-packets/${encodeURIComponent(id)}/stream`);
    const onClaim = () => void queryClient.invalidateQueries({ queryKey: [...redPacketsKey, 'sent', id] });
    source.addEventListener('claim', onClaim);
    return () => {
      source.removeEventListener('claim', onClaim);
      source.close();
    };
  }, [open, id, queryClient]);
  if (packet.isPending) {
    return (
      <Page title={t('redPackets.packetTitle')} backTo="/red-packets?box=sent">
        <Loading />
      </Page>
    );
  }
  if (packet.isError) {
    return (
      <Page title={t('redPackets.packetTitle')} backTo="/red-packets?box=sent">
        {packet.error instanceof ApiError && packet.error.status === 404 ? (
          <div className="money-buttons">
            <RedPacketError error={packet.error} />
          </div>
        ) : (
          <LoadFailed error={packet.error} onRetry={() => void packet.refetch()} />
        )}
      </Page>
    );
  }
  const data = packet.data;
  const money = (value: RedPacket['total']) => formatMoney(value, i18n.language);
  const claims = data.claims ?? [];
  const fresh = justSent && data.status === 'open' && claims.length === 0;
  return (
    <Page
      title={fresh ? t('redPackets.sentTitle') : t('redPackets.packetTitle')}
      backTo="/red-packets?box=sent"
    >
      {fresh ? (
        <ResultHead
          tone="ok"
          title={t('redPackets.sentTitle')}
          amount={money(data.total)}
          sub={
            data.recipient
              ? t('redPackets.sentSingleSub', { name: data.recipient.displayName })
              : t('redPackets.sentGroupSub')
          }
        />
      ) : null}
      {/* Just sent, the result says what it is; later, the packet's own head. */}
      {fresh ? null : (
        <section className="rp-detail-head" aria-labelledby="rp-detail-from">
          <div className={`rp-detail-arc rp-cover-${data.cover}`} aria-hidden="true" />
          <h2 id="rp-detail-from" className="rp-detail-from">
            {data.recipient
              ? t('redPackets.sheetTitleSingle', { name: data.recipient.displayName })
              : splitLabel(data.split)}
          </h2>
          <p className="rp-detail-greeting">{data.greeting}</p>
          <p className="rp-detail-amount amount" data-testid="rp-sent-total">
            {money(data.total)}
          </p>
          <p className="rp-detail-note" data-testid="rp-status">
            {statusLabel(data)}
            {data.status === 'open' ? ` · ${t('redPackets.live')}` : ''}
          </p>
        </section>
      )}
      {data.link && data.status === 'open' ? (
        <ShareLinkCard link={data.link} ns="redPackets" prefix="rp" />
      ) : null}
      <section className="money-card rp-claims-card" aria-labelledby="rp-progress">
        <h3 id="rp-progress" className="money-card-title rp-progress" data-testid="rp-progress">
          {data.kind === 'single'
            ? claims[0]
              ? t('redPackets.singleClaimed', { name: claims[0].displayName })
              : t('redPackets.waitingSingle', { name: data.recipient?.displayName ?? '' })
            : progressLine(data)}
        </h3>
        <ClaimsList claims={claims} />
        <DetailRows
          rows={[
            ...(data.share && data.kind === 'group'
              ? [{ label: t('redPackets.shareAmount'), value: money(data.share) }]
              : []),
            ...(data.remaining && data.status === 'open' && data.remaining.amount !== '0'
              ? [
                  {
                    label: t('redPackets.remainingLabel'),
                    value: money(data.remaining),
                    testId: 'rp-remaining',
                  },
                ]
              : []),
            ...(data.refund && data.refund.amount !== '0'
              ? [{ label: t('redPackets.refundLabel'), value: money(data.refund), testId: 'rp-refund' }]
              : []),
            { label: t('redPackets.sentAt'), value: formatDateTime(data.createdAt, i18n.language) },
            ...(data.status === 'open'
              ? [
                  {
                    label: t('redPackets.expiresLabel'),
                    value: formatDateTime(data.expiresAt, i18n.language),
                  },
                ]
              : []),
          ]}
        />
        {data.status === 'open' ? (
          <p className="field-hint rp-refund-note">{t('redPackets.expiryNote')}</p>
        ) : null}
      </section>
      <div className="money-buttons">
        <Link to="/red-packets/new" className="text-button money-link-button">
          {t('redPackets.sendAnother')}
        </Link>
      </div>
    </Page>
  );
}
