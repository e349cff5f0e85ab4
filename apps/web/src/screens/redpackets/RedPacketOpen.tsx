import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { isApiError } from '../../api/client.ts';
import { claimRedPacket, fetchRedPacket, redPacketsKey } from '../../api/red-packets.ts';
import type { RedPacket } from '../../api/red-packets.ts';
import { markSignedOut, queryClient } from '../../auth/session.ts';
import { Page } from '../../components/Page.tsx';
import { LinkedPage, SignInFirst } from '../../components/share/LinkedPage.tsx';
import { formatMoney } from '../../lib/format.ts';
import { useRefreshMoney } from '../money/parts.tsx';
import { ClaimsList, Envelope, RedPacketError, progressLine } from './parts.tsx';

/**
 * A red packet opened by its link (a group packet's token) or from 我的红包 (a one-to-one
 * packet's id): the cover, who sent it (masked) and the greeting, and "開". Once claimed: the
 * amount, and who claimed how much — with 手气最佳 when all are gone. Refusals in words (claimed
 * already, all gone, expired, the holder's balance cap). Someone not signed in is asked to, and
 * comes back here (SignIn's `?next=`). The sender is sent to the packet's progress page.
 */
export function RedPacketOpen() {
  const { t } = useTranslation();
  const { ref = '' } = useParams();
  return (
    <LinkedPage
      title={t('redPackets.packetTitle')}
      backTo="/red-packets"
      backLabel={t('redPackets.viewMine')}
      queryKey={[...redPacketsKey, 'open', ref]}
      fetch={() => fetchRedPacket(ref)}
      signIn={
        <SignInFirst
          title={t('redPackets.packetTitle')}
          path={`/red-packets/${ref}`}
          signInLabel={t('redPackets.signIn')}
          registerLabel={t('redPackets.register')}
        >
          <Envelope cover="classic">
            <p className="rp-envelope-from">{t('redPackets.signInTitle')}</p>
            <p className="rp-envelope-greeting small">{t('redPackets.signInBody')}</p>
          </Envelope>
        </SignInFirst>
      }
      refusal={(error) => <RedPacketError error={error} />}
      mineTo={(packet) => `/red-packets/sent/${packet.id}`}
    >
      {(packet) => <OpenPacket packet={packet} refKey={ref} />}
    </LinkedPage>
  );
}

function OpenPacket(props: { packet: RedPacket; refKey: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const refresh = useRefreshMoney();
  const [packet, setPacket] = useState(props.packet);
  const [error, setError] = useState<unknown>(null);
  const [opening, setOpening] = useState(false);

  const open = async () => {
    setOpening(true);
    setError(null);
    try {
      const claimed = await claimRedPacket(props.refKey);
      setPacket(claimed);
      queryClient.setQueryData([...redPacketsKey, 'open', props.refKey], claimed);
      void queryClient.invalidateQueries({ queryKey: redPacketsKey });
      refresh();
    } catch (failure) {
      if (isApiError(failure) && failure.status === 401) {
        markSignedOut();
        void navigate(`/sign-in?next=${encodeURIComponent(`/red-packets/${props.refKey}`)}`, {
          replace: true,
        });
        return;
      }
      if (isApiError(failure, 'RED_PACKET_ALREADY_CLAIMED')) {
        // Claimed already (another tab, a retry): show what it was.
        try {
          setPacket(await fetchRedPacket(props.refKey));
          return;
        } catch {
          // Fall through to the refusal itself.
        }
      }
      setError(failure);
    } finally {
      setOpening(false);
    }
  };

  if (packet.myClaim) return <ClaimedPacket packet={packet} />;

  const gone =
    packet.status !== 'open' ||
    isApiError(error, 'RED_PACKET_EMPTY') ||
    isApiError(error, 'RED_PACKET_EXPIRED');
  return (
    <div className="rp-open-screen">
      <Page title={t('redPackets.packetTitle')} backTo="/red-packets">
        <Envelope
          cover={packet.cover}
          seal={
            gone ? undefined : (
              <button
                type="button"
                className="rp-open-button"
                aria-label={t('redPackets.openLabel')}
                onClick={() => void open()}
                disabled={opening}
              >
                {opening ? '…' : t('redPackets.openButton')}
              </button>
            )
          }
        >
          <p className="rp-envelope-from" data-testid="rp-from">
            {t('redPackets.fromSender', { name: packet.sender.displayName })}
          </p>
          {gone ? (
            <p className="rp-envelope-greeting" role="status" data-testid="rp-gone">
              {packet.status === 'expired' || isApiError(error, 'RED_PACKET_EXPIRED')
                ? t('redPackets.expiredTitle')
                : t('redPackets.emptyTitle')}
            </p>
          ) : (
            <p className="rp-envelope-greeting" data-testid="rp-greeting">
              {packet.greeting}
            </p>
          )}
        </Envelope>
        <div className="money-buttons">
          {gone && !error ? null : <RedPacketError error={error} claiming />}
          {gone ? (
            <Link to="/red-packets" className="text-button money-link-button">
              {t('redPackets.viewMine')}
            </Link>
          ) : null}
        </div>
      </Page>
    </div>
  );
}

/** After "開": what I got, and who else claimed how much. */
function ClaimedPacket(props: { packet: RedPacket }) {
  const { t, i18n } = useTranslation();
  const { packet } = props;
  return (
    <Page title={t('redPackets.packetTitle')} backTo="/red-packets">
      <section className="rp-detail-head" aria-labelledby="rp-detail-from">
        <div className={`rp-detail-arc rp-cover-${packet.cover}`} aria-hidden="true" />
        <h2 id="rp-detail-from" className="rp-detail-from" data-testid="rp-from">
          {t('redPackets.fromSender', { name: packet.sender.displayName })}
        </h2>
        <p className="rp-detail-greeting">{packet.greeting}</p>
        {packet.myClaim ? (
          <>
            <p className="rp-detail-amount amount" data-testid="rp-my-amount">
              {formatMoney(packet.myClaim.amount, i18n.language)}
            </p>
            <p className="rp-detail-note">{t('redPackets.gotAmount')}</p>
          </>
        ) : null}
      </section>
      {packet.kind === 'group' ? (
        <section className="money-card rp-claims-card" aria-labelledby="rp-progress">
          <h3 id="rp-progress" className="money-card-title rp-progress" data-testid="rp-progress">
            {progressLine(packet)}
          </h3>
          <ClaimsList claims={packet.claims ?? []} />
        </section>
      ) : null}
      <div className="money-buttons">
        <Link to="/red-packets" className="text-button money-link-button">
          {t('redPackets.viewMine')}
        </Link>
      </div>
    </Page>
  );
}
