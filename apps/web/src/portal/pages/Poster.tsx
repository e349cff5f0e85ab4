/**
 * 收款码: the merchant's static code on a poster for the counter — previewed as it will print,
 * downloaded as a PNG drawn here (poster.ts) or as the server's PDF (a link: the merchant as the
 * `merchant` query parameter).
 */
import { DownloadOutlined, FilePdfOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Row, Space, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fetchStaticCode, portalKeys, posterPdfUrl } from '../api.ts';
import { usePortal } from '../context.ts';
import { ErrorAlert, PortalLoadFailed, PortalLoading } from '../parts.tsx';
import { POSTER_HEIGHT, POSTER_WIDTH, downloadCanvas, drawPoster } from '../poster.ts';

/** The poster says it in both languages, whatever the portal's language: customers read it. */
const POSTER_WORDS = {
  scanZh: '扫一扫，向我付钱',
  scanEn: 'Scan to pay me',
  brand: '钱包 Qianbao',
  footer: '支持钱包 App 扫码付款 · Pay with the Qianbao app',
};

export function Poster() {
  const { t } = useTranslation();
  const { merchant } = usePortal();
  const code = useQuery({
    queryKey: portalKeys.code(merchant.id),
    queryFn: () => fetchStaticCode(merchant.id),
    staleTime: Infinity,
  });
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const payload = code.data?.payload;

  useEffect(() => {
    if (!payload) return;
    let cancelled = false;
    const drawing = document.createElement('canvas');
    drawPoster(drawing, payload, { ...POSTER_WORDS, merchantName: merchant.name }).then(
      () => {
        if (cancelled) return;
        canvas.current = drawing;
        setPreview(drawing.toDataURL('image/png'));
      },
      (error: unknown) => !cancelled && setFailure(error),
    );
    return () => {
      cancelled = true;
    };
  }, [payload, merchant.name]);

  const savePng = async () => {
    if (!canvas.current) return;
    setSaving(true);
    setFailure(null);
    try {
      await downloadCanvas(canvas.current, `qianbao-poster-${merchant.name}.png`);
    } catch (error) {
      setFailure(error);
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="portal-page">
      <Typography.Title level={3} className="portal-page-title">
        {t('portal.poster.title')}
      </Typography.Title>
      {code.isPending ? (
        <PortalLoading />
      ) : code.isError ? (
        <PortalLoadFailed error={code.error} onRetry={() => void code.refetch()} />
      ) : (
        <Row gutter={[24, 24]}>
          <Col xs={24} lg={10}>
            <Card variant="borderless" className="portal-poster-card">
              {preview ? (
                <img
                  className="portal-poster"
                  src={preview}
                  width={POSTER_WIDTH / 4}
                  height={POSTER_HEIGHT / 4}
                  alt={t('portal.poster.alt', { name: merchant.name })}
                />
              ) : (
                <PortalLoading />
              )}
            </Card>
          </Col>
          <Col xs={24} lg={14}>
            <Card variant="borderless" title={t('portal.poster.howTitle')}>
              <Typography.Paragraph>{t('portal.poster.intro')}</Typography.Paragraph>
              <Typography.Paragraph type="secondary">{t('portal.poster.limit')}</Typography.Paragraph>
              <Space wrap size="middle">
                <Button
                  type="primary"
                  icon={<DownloadOutlined aria-hidden />}
                  disabled={!preview}
                  loading={saving}
                  onClick={() => void savePng()}
                >
                  {t('portal.poster.png')}
                </Button>
                <Button icon={<FilePdfOutlined aria-hidden />} href={posterPdfUrl(merchant.id)} download>
                  {t('portal.poster.pdf')}
                </Button>
              </Space>
              <ErrorAlert error={failure} message={failure ? t('portal.poster.failed') : null} />
              <details className="portal-payload">
                <summary>{t('portal.poster.payload')}</summary>
                <code data-testid="poster-payload">{code.data.payload}</code>
              </details>
            </Card>
          </Col>
        </Row>
      )}
    </div>
  );
}
