/** Pieces the red packet screens share: the cover, the claims list, refusals in words. */
import type { MoneyJson } from '@qianbao/money';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client.ts';
import { RED_PACKET_COVERS } from '../../api/red-packets.ts';
import type { RedPacket, RedPacketClaim, RedPacketCover } from '../../api/red-packets.ts';
import { icon } from '../../components/icons.tsx';
import { moneyErrorMessage } from '../../components/money/errors.ts';
import i18n from '../../i18n/index.ts';
import { formatDateTime, formatMoney } from '../../lib/format.ts';
import { MoneyError } from '../money/parts.tsx';
import './redpackets.css';

/** Home's grid: an envelope with its round seal. */
export const RedPacketIcon = icon(
  <>
    <rect x="5" y="3" width="14" height="18" rx="2" />
    <path d="M5 8.5c2.2 1.6 4.5 2.4 7 2.4s4.8-.8 7-2.4" />
    <circle cx="12" cy="11" r="2" />
  </>,
);

/** 手气最佳's crown. */
const CrownIcon = icon(<path d="M4 17.5h16M5 15l-1.5-8 5 4L12 5l3.5 6 5-4-1.5 8z" />);

/** The glyph each built-in cover wears on its seal. */
const SEAL: Record<RedPacketCover, string> = { classic: '開', fortune: '福', spring: '春', lantern: '喜' };

export function coverOf(name: string): RedPacketCover {
  return RED_PACKET_COVERS.find((cover) => cover === name) ?? 'classic';
}

/**
 * A red envelope in one of the built-in covers: its flap, the seal, and whatever goes on it
 * (who sent it, the greeting, the button that opens it).
 */
export function Envelope(props: {
  cover: string;
  children?: ReactNode;
  seal?: ReactNode;
  small?: boolean;
  label?: string;
}) {
  const cover = coverOf(props.cover);
  return (
    <div
      className={`rp-envelope rp-cover-${cover}${props.small ? ' small' : ''}`}
      role={props.label ? 'img' : undefined}
      aria-label={props.label}
    >
      <div className="rp-envelope-flap" />
      <div className="rp-envelope-body">{props.children}</div>
      <div className="rp-envelope-seal">{props.seal ?? <span aria-hidden="true">{SEAL[cover]}</span>}</div>
    </div>
  );
}

/** Who claimed how much, with 手气最佳 once every share of a lucky packet is gone. */
export function ClaimsList(props: { claims: RedPacketClaim[] }) {
  const { t, i18n: current } = useTranslation();
  if (props.claims.length === 0) return null;
  return (
    <ul className="rp-claims">
      {props.claims.map((claim, index) => (
        <li key={`${claim.claimedAt}-${index}`} className="rp-claim" data-testid="rp-claim">
          <span className="rp-claim-avatar" aria-hidden="true">
            {claim.displayName.replace(/\*/g, '').slice(-1) || '*'}
          </span>
          <span className="rp-claim-who">
            <span className="rp-claim-name">{claim.displayName}</span>
            <span className="rp-claim-time">{formatDateTime(claim.claimedAt, current.language)}</span>
          </span>
          <span className="rp-claim-amount">
            <span className="amount">{formatMoney(claim.amount, current.language)}</span>
            {claim.luckiest ? (
              <span className="rp-luckiest" data-testid="rp-luckiest">
                <CrownIcon className="rp-luckiest-icon" />
                {t('redPackets.luckiest')}
              </span>
            ) : null}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** "已领取 2/3 个，共 ¥3.20/¥5.00" (amounts when the viewer may see them). */
export function progressLine(packet: RedPacket): string {
  const claimed = packet.shareCount - packet.remainingCount;
  const language = i18n.language;
  if (packet.status === 'finished' && packet.kind === 'group' && packet.total) {
    return `${i18n.t('redPackets.allGone', { count: packet.shareCount })} · ${formatMoney(packet.total, language)}`;
  }
  if (packet.total && packet.remaining) {
    const claimedFen = BigInt(packet.total.amount) - BigInt(packet.remaining.amount);
    return i18n.t('redPackets.claimedOfAmount', {
      claimed,
      count: packet.shareCount,
      amount: formatMoney({ amount: claimedFen.toString(), currency: packet.total.currency }, language),
      total: formatMoney(packet.total, language),
    });
  }
  return i18n.t('redPackets.claimedOf', { claimed, count: packet.shareCount });
}

export function statusLabel(packet: RedPacket): string {
  const key = {
    open: packet.kind === 'single' ? 'statusWaiting' : 'statusOpen',
    finished: 'statusFinished',
    expired: 'statusExpired',
    refunded: 'statusRefunded',
  };
  return i18n.t(`redPackets.${key[packet.status]}`);
}

export function splitLabel(split: RedPacket['split']): string {
  return i18n.t(`redPackets.${split}`);
}

function asMoney(value: unknown): MoneyJson | null {
  if (typeof value === 'object' && value !== null) {
    const { amount, currency } = value as { amount?: unknown; currency?: unknown };
    if (typeof amount === 'string' && typeof currency === 'string') return { amount, currency };
  }
  return null;
}

/** The red packets' refusals in words, with the numbers their details carry; else as money errors. */
export function redPacketErrorMessage(error: unknown, options: { claiming?: boolean } = {}): string {
  if (!(error instanceof ApiError)) return moneyErrorMessage(error);
  const { details, code } = error;
  const language = i18n.language;
  const money = (value: unknown) => {
    const parsed = asMoney(value);
    return parsed ? formatMoney(parsed, language) : null;
  };
  switch (code) {
    case 'RED_PACKET_SHARE_TOO_LARGE': {
      const max = money(details.max);
      return max ? i18n.t('errors.RED_PACKET_SHARE_TOO_LARGE_max', { max }) : i18n.t(`errors.${code}`);
    }
    case 'RED_PACKET_TOO_MANY_SHARES':
      return typeof details.max === 'number'
        ? i18n.t('errors.RED_PACKET_TOO_MANY_SHARES_max', { max: details.max })
        : i18n.t(`errors.${code}`);
    case 'RED_PACKET_TOTAL_TOO_SMALL': {
      const min = money(details.min);
      return min ? i18n.t('errors.RED_PACKET_TOTAL_TOO_SMALL_min', { min }) : i18n.t(`errors.${code}`);
    }
    case 'RED_PACKET_UNEVEN_TOTAL': {
      const lower = money(details.lower);
      const higher = money(details.higher);
      if (lower && higher) return i18n.t('errors.RED_PACKET_UNEVEN_TOTAL_both', { lower, higher });
      if (higher) return i18n.t('errors.RED_PACKET_UNEVEN_TOTAL_higher', { higher });
      return i18n.t(`errors.${code}`);
    }
    case 'RED_PACKET_ALREADY_CLAIMED': {
      const amount = money(details.amount);
      return amount
        ? i18n.t('errors.RED_PACKET_ALREADY_CLAIMED_amount', { amount })
        : i18n.t(`errors.${code}`);
    }
    case 'RISK_REVIEW_REQUIRED':
      // A packet cannot wait for a person (it could not be claimed): it is not sent.
      return i18n.t('errors.RED_PACKET_RISK_REVIEW_REQUIRED');
    case 'PAYEE_BALANCE_CAP_EXCEEDED':
      // Claiming: the claimer's own wallet would pass its cap (sending: the recipient's, as money says).
      return options.claiming ? i18n.t('errors.RED_PACKET_BALANCE_CAP') : moneyErrorMessage(error);
    default:
      return moneyErrorMessage(error);
  }
}

/** A refusal shown on a red packet screen: its own codes here, the payments' through MoneyError. */
export function RedPacketError(props: { error: unknown; claiming?: boolean }) {
  if (!props.error) return null;
  const code = props.error instanceof ApiError ? props.error.code : '';
  const ours =
    /^(RED_PACKET_|CANNOT_CLAIM_OWN_RED_PACKET|RISK_REVIEW_REQUIRED$)/.test(code) ||
    (props.claiming === true && code === 'PAYEE_BALANCE_CAP_EXCEEDED');
  if (ours) {
    return (
      <div className="form-error money-error" role="alert">
        <span>{redPacketErrorMessage(props.error, { claiming: props.claiming ?? false })}</span>
      </div>
    );
  }
  return <MoneyError error={props.error} />;
}
