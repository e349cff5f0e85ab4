import { Button, Toast } from 'antd-mobile';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import './share.css';

/**
 * A shared thing's link, and its QR code (the link itself: any phone's camera opens the app
 * there), with a button to copy it. Red packets and split bills each word it in their own
 * namespace (`ns`: shareTitle, shareHint, qrAlt, linkCopied, copyLink) and give their prefix for
 * the heading's id and the link's test id (`rp-share-link`, `sp-share-link`).
 */
export function ShareLinkCard(props: { link: string; ns: 'redPackets' | 'splits'; prefix: 'rp' | 'sp' }) {
  const { t } = useTranslation();
  const { ns, prefix } = props;
  const [qr, setQr] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toDataURL(props.link, { errorCorrectionLevel: 'M', margin: 1, width: 480 }).then(
      (url) => live && setQr(url),
      () => live && setQr(null),
    );
    return () => {
      live = false;
    };
  }, [props.link]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.link);
      Toast.show({ icon: 'success', content: t(`${ns}.linkCopied`) });
    } catch {
      // No clipboard: the link is on screen to select.
    }
  };
  return (
    <section className="money-card share-card" aria-labelledby={`${prefix}-share-title`}>
      <h2 id={`${prefix}-share-title`} className="money-card-title">
        {t(`${ns}.shareTitle`)}
      </h2>
      <p className="field-hint">{t(`${ns}.shareHint`)}</p>
      {qr ? <img className="share-card-qr" src={qr} alt={t(`${ns}.qrAlt`)} width={200} height={200} /> : null}
      <code className="share-card-link" data-testid={`${prefix}-share-link`}>
        {props.link}
      </code>
      <Button block shape="rounded" color="primary" fill="outline" onClick={() => void copy()}>
        {t(`${ns}.copyLink`)}
      </Button>
    </section>
  );
}
