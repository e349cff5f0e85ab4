import { FormError } from '../../components/FormBits.tsx';
import { useQuery } from '@tanstack/react-query';
import { Button, Dialog, Input, Toast } from 'antd-mobile';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { fetchReceiveCode, parseYuan, readScannedCode } from '../../api/money.ts';
import { Page } from '../../components/Page.tsx';
import { LoadFailed, Loading } from '../../components/States.tsx';
import { formatMoney } from '../../lib/format.ts';
import { cameraAvailable, qrReader, scanWithCamera } from '../../lib/qr-reader.ts';
import { AmountInput } from './parts.tsx';

async function copy(text: string, done: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    Toast.show({ icon: 'success', content: done });
  } catch {
    // No clipboard (an insecure origin, a refused permission): the text is on screen to select.
  }
}

/** 收款码: the holder's personal receive QR code, optionally with a fixed amount. */
export function ReceiveCode() {
  const { t, i18n } = useTranslation();
  const [fixed, setFixed] = useState<string | null>(null);
  const code = useQuery({
    queryKey: ['receive-code', fixed],
    queryFn: () => fetchReceiveCode(fixed ?? undefined),
    staleTime: Infinity,
  });

  const askAmount = () => {
    let text = '';
    const dialog = Dialog.show({
      title: t('money.receivePage.amountDialog'),
      content: <AmountDialogBody onChange={(value) => (text = value)} />,
      closeOnAction: false,
      actions: [
        [
          { key: 'cancel', text: t('common.cancel'), onClick: () => dialog.close() },
          {
            key: 'apply',
            text: t('money.receivePage.apply'),
            bold: true,
            onClick: () => {
              const amount = parseYuan(text);
              if (!amount) {
                Toast.show({ content: t('money.amountInvalid') });
                return;
              }
              setFixed(amount.amount);
              dialog.close();
            },
          },
        ],
      ],
    });
  };

  return (
    <Page title={t('money.receivePage.title')} backTo="/">
      <section className="receive-card" aria-labelledby="receive-name">
        {code.isPending ? (
          <Loading />
        ) : code.isError ? (
          <LoadFailed error={code.error} onRetry={() => void code.refetch()} />
        ) : (
          <>
            <p className="receive-hint">{t('money.receivePage.hint')}</p>
            <img
              className="receive-qr"
              src={code.data.qrDataUrl}
              alt={t('money.receivePage.qrAlt', { name: code.data.displayName })}
              width={240}
              height={240}
            />
            <p id="receive-name" className="receive-name">
              {code.data.displayName}
            </p>
            {code.data.amount ? (
              <p className="receive-amount amount" data-testid="receive-amount">
                {formatMoney(code.data.amount, i18n.language)}
              </p>
            ) : null}
            <details className="receive-payload">
              <summary>{t('money.receivePage.code')}</summary>
              <code data-testid="receive-payload">{code.data.payload}</code>
              <Button
                size="small"
                fill="outline"
                shape="rounded"
                onClick={() => void copy(code.data.payload, t('money.copied'))}
              >
                {t('money.receivePage.copyCode')}
              </Button>
            </details>
          </>
        )}
      </section>
      <div className="money-buttons">
        {fixed ? (
          <Button block size="large" shape="rounded" onClick={() => setFixed(null)}>
            {t('money.receivePage.clearAmount')}
          </Button>
        ) : (
          <Button block size="large" shape="rounded" color="primary" fill="outline" onClick={askAmount}>
            {t('money.receivePage.setAmount')}
          </Button>
        )}
      </div>
    </Page>
  );
}

function AmountDialogBody(props: { onChange: (value: string) => void }) {
  const { t } = useTranslation();
  const [value, setValue] = useState('');
  return (
    <AmountInput
      label={t('money.amount')}
      value={value}
      autoFocus
      onChange={(next) => {
        setValue(next);
        props.onChange(next);
      }}
    />
  );
}

/**
 * 扫一扫: the camera, a photo of the code, and always a field to paste the code or link into.
 * QR codes are read by the browser's BarcodeDetector where it has one, else by a JavaScript
 * decoder (lib/qr-reader.ts), so every browser scans. A receive code goes to the transfer
 * screen; a payment request to its page; a merchant's code (EMVCo) to paying the merchant.
 */
export function Scan() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [pasted, setPasted] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [cameraOn, setCameraOn] = useState(false);
  const video = useRef<HTMLVideoElement>(null);
  const cameraPossible = cameraAvailable();

  const go = (text: string) => {
    const target = readScannedCode(text);
    if (!target) {
      setProblem(t('money.scanPage.notOurs'));
      return;
    }
    setProblem(null);
    setCameraOn(false);
    if ('toQr' in target) void navigate(`/transfer?toQr=${encodeURIComponent(target.toQr)}`);
    else if ('merchantQr' in target)
      void navigate(`/pay/merchant?qr=${encodeURIComponent(target.merchantQr)}`);
    else if ('redPacketRef' in target)
      void navigate(`/red-packets/${encodeURIComponent(target.redPacketRef)}`);
    else if ('splitRef' in target) void navigate(`/splits/${encodeURIComponent(target.splitRef)}`);
    else void navigate(`/pay/requests/${encodeURIComponent(target.requestId)}`);
  };

  useEffect(() => {
    if (!cameraOn || !video.current) return;
    return scanWithCamera(
      video.current,
      (text) => {
        go(text);
        return true;
      },
      () => {
        setProblem(t('money.scanPage.cameraDenied'));
        setCameraOn(false);
      },
    );
    // `go` only navigates; the camera starts and stops with `cameraOn`.
  }, [cameraOn]);

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    if (typeof createImageBitmap !== 'function') {
      setProblem(t('money.scanPage.uploadUnsupported'));
      return;
    }
    try {
      const bitmap = await createImageBitmap(file);
      // The decoder is fetched on first use; a fetch that failed (a bad connection) is tried once more.
      const reader = await qrReader().catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        return qrReader();
      });
      const text = await reader.read(bitmap);
      bitmap.close();
      if (text !== null) go(text);
      else setProblem(t('money.scanPage.noCodeInImage'));
    } catch (error) {
      // Not a picture without a code: the picture or the decoder failed (said in the console).
      console.error('reading the picture failed', error);
      setProblem(t('money.scanPage.noCodeInImage'));
    }
  };

  return (
    <Page title={t('money.scanPage.title')} backTo="/">
      <section className="scan-area">
        {cameraOn ? (
          <div className="scan-camera">
            <video ref={video} className="scan-video" muted playsInline />
            <span className="scan-frame" aria-hidden="true" />
            <p className="scan-aim">{t('money.scanPage.aim')}</p>
          </div>
        ) : null}
        {cameraPossible ? (
          <Button block size="large" shape="rounded" color="primary" onClick={() => setCameraOn(!cameraOn)}>
            {cameraOn ? t('money.scanPage.stopCamera') : t('money.scanPage.startCamera')}
          </Button>
        ) : (
          <p className="notice">{t('money.scanPage.cameraUnavailable')}</p>
        )}
        <label className="scan-upload">
          <input
            type="file"
            accept="image/*"
            className="visually-hidden"
            onChange={(event) => void onFile(event.target.files?.[0])}
          />
          <span className="scan-upload-button">{t('money.scanPage.upload')}</span>
        </label>
      </section>
      <p className="divider-text">{t('money.scanPage.or')}</p>
      <form
        className="money-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          go(pasted);
        }}
      >
        <div className="money-card">
          <label className="money-field">
            <span className="money-field-label">{t('money.scanPage.paste')}</span>
            <Input
              className="money-field-input"
              placeholder={t('money.scanPage.pastePlaceholder')}
              value={pasted}
              onChange={setPasted}
              autoComplete="off"
            />
          </label>
        </div>
        <div className="money-buttons">
          <FormError message={problem} />
          <Button
            block
            type="submit"
            size="large"
            shape="rounded"
            color="primary"
            disabled={pasted.trim() === ''}
          >
            {t('money.scanPage.go')}
          </Button>
        </div>
      </form>
    </Page>
  );
}
