import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Dialog, Form, Input, Toast } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/client.ts';
import { disableTotp, enableTotp, fetchSecurity, securityKey, startTotpSetup } from '../api/security.ts';
import type { TotpSetup } from '../api/security.ts';
import { FormError } from '../components/FormBits.tsx';
import { Page, useGoBack } from '../components/Page.tsx';
import { LoadFailed, Loading } from '../components/States.tsx';
import { CopyIcon } from '../components/icons.tsx';

/**
 * TOTP two-step verification: scan a QR code (or type the secret) into an authenticator app,
 * confirm a first code, keep the ten recovery codes (shown this once); turn it off with a code.
 */
export function TwoStep() {
  const { t } = useTranslation();
  const security = useQuery({ queryKey: securityKey, queryFn: fetchSecurity });
  // Recovery codes outlive the status change that made them: they are shown until "saved".
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);

  let body;
  if (recoveryCodes) body = <RecoveryCodes codes={recoveryCodes} />;
  else if (security.isPending) body = <Loading />;
  else if (security.isError)
    body = <LoadFailed error={security.error} onRetry={() => void security.refetch()} />;
  else if (security.data.totp.enabled)
    body = <TotpEnabled recoveryCodesRemaining={security.data.totp.recoveryCodesRemaining} />;
  else body = <TotpSetupFlow onEnabled={setRecoveryCodes} />;

  return (
    <Page title={t('totp.title')} backTo="/me/security">
      {body}
    </Page>
  );
}

async function copyText(text: string, done: string, failed: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    Toast.show({ content: done });
  } catch {
    Toast.show({ content: failed });
  }
}

function TotpSetupFlow(props: { onEnabled: (codes: string[]) => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const start = useMutation({
    mutationFn: startTotpSetup,
    onMutate: () => setFailure(null),
    onSuccess: setSetup,
    onError: (error) => setFailure(errorMessage(error)),
  });
  const enable = useMutation({
    mutationFn: (code: string) => enableTotp(code),
    onMutate: () => setFailure(null),
    onSuccess: (codes) => {
      props.onEnabled(codes);
      void queryClient.invalidateQueries({ queryKey: securityKey });
    },
    onError: (error) => setFailure(errorMessage(error)),
  });

  if (!setup) {
    return (
      <>
        <p className="page-intro">{t('totp.intro')}</p>
        <div className="page-actions">
          <FormError message={failure} />
          <Button
            block
            color="primary"
            size="large"
            shape="rounded"
            loading={start.isPending}
            onClick={() => start.mutate()}
          >
            {t('totp.enable')}
          </Button>
        </div>
      </>
    );
  }

  const groupedSecret = setup.secret.replace(/(.{4})(?=.)/g, '$1 ');
  return (
    <>
      <section className="totp-card" aria-labelledby="totp-scan">
        <h2 id="totp-scan" className="section-title">
          {t('totp.scanTitle')}
        </h2>
        <p className="section-hint">{t('totp.scanHint')}</p>
        <img className="totp-qr" src={setup.qrDataUrl} width={200} height={200} alt={t('totp.qrAlt')} />
        <p className="section-hint">{t('totp.secretHint')}</p>
        <div className="totp-secret-row">
          <code className="totp-secret" data-testid="totp-secret" aria-label={t('totp.secretLabel')}>
            {groupedSecret}
          </code>
          <button
            type="button"
            className="icon-button"
            aria-label={t('totp.copySecret')}
            onClick={() => void copyText(setup.secret, t('totp.copied'), t('totp.copyFailed'))}
          >
            <CopyIcon />
          </button>
        </div>
      </section>
      <Form
        layout="horizontal"
        name="totpEnable"
        requiredMarkStyle="none"
        onFinish={(values: { code: string }) => enable.mutate(values.code)}
        footer={
          <>
            <FormError message={failure} />
            <Button
              block
              type="submit"
              color="primary"
              size="large"
              shape="rounded"
              loading={enable.isPending}
            >
              {t('totp.confirmEnable')}
            </Button>
          </>
        }
      >
        <Form.Header>{t('totp.codeTitle')}</Form.Header>
        <Form.Item
          name="code"
          label={t('totp.code')}
          rules={[{ pattern: /^\d{6}$/, required: true, message: t('validation.totpCode') }]}
        >
          <Input
            inputMode="numeric"
            autoComplete="one-time-code"
            placeholder={t('totp.codePlaceholder')}
            maxLength={6}
          />
        </Form.Item>
      </Form>
    </>
  );
}

function RecoveryCodes(props: { codes: string[] }) {
  const { t } = useTranslation();
  const leave = useGoBack('/me/security', { replace: true });
  return (
    <>
      <p className="notice success" role="status">
        {t('totp.enabledNow')}
      </p>
      <section className="totp-card" aria-labelledby="recovery-title">
        <h2 id="recovery-title" className="section-title">
          {t('totp.recoveryTitle')}
        </h2>
        <p className="section-hint">{t('totp.recoveryHint')}</p>
        <ol className="recovery-codes" data-testid="recovery-codes">
          {props.codes.map((code) => (
            <li key={code}>
              <code>{code}</code>
            </li>
          ))}
        </ol>
        <Button
          block
          fill="outline"
          shape="rounded"
          onClick={() => void copyText(props.codes.join('\n'), t('totp.copied'), t('totp.copyFailed'))}
        >
          {t('totp.copyCodes')}
        </Button>
      </section>
      <div className="page-actions">
        <Button block color="primary" size="large" shape="rounded" onClick={leave}>
          {t('totp.saved')}
        </Button>
      </div>
    </>
  );
}

function TotpEnabled(props: { recoveryCodesRemaining: number }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [useRecovery, setUseRecovery] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const disable = useMutation({
    mutationFn: (value: string) =>
      disableTotp(useRecovery ? { recoveryCode: value.trim().toUpperCase() } : { code: value }),
    onMutate: () => setFailure(null),
    onSuccess: () => {
      Toast.show({ content: t('totp.disabled') });
      return queryClient.invalidateQueries({ queryKey: securityKey });
    },
    onError: (error) => setFailure(errorMessage(error)),
  });
  const submit = async (values: { value: string }) => {
    const confirmed = await Dialog.confirm({
      title: t('totp.disable'),
      content: t('totp.disableConfirm'),
      confirmText: t('totp.disable'),
      cancelText: t('common.cancel'),
    });
    if (confirmed) disable.mutate(values.value);
  };
  return (
    <>
      <div className="status-card">
        <p className="status-card-title">{t('totp.on')}</p>
        <p className="status-card-body">
          {t('totp.recoveryRemaining', { count: props.recoveryCodesRemaining })}
        </p>
      </div>
      <Form
        key={useRecovery ? 'recovery' : 'code'}
        layout="horizontal"
        name="totpDisable"
        requiredMarkStyle="none"
        onFinish={(values: { value: string }) => void submit(values)}
        footer={
          <>
            <FormError message={failure} />
            <Button
              block
              type="submit"
              size="large"
              shape="rounded"
              className="danger-button"
              loading={disable.isPending}
            >
              {t('totp.disable')}
            </Button>
            <button type="button" className="text-button" onClick={() => setUseRecovery(!useRecovery)}>
              {useRecovery ? t('totp.useCode') : t('totp.useRecovery')}
            </button>
          </>
        }
      >
        <Form.Header>{t('totp.disableTitle')}</Form.Header>
        {useRecovery ? (
          <Form.Item
            name="value"
            label={t('totp.recoveryCode')}
            rules={[{ required: true, message: t('validation.recoveryCode') }]}
          >
            <Input autoComplete="off" placeholder="XXXX-XXXX-XXXX" maxLength={32} />
          </Form.Item>
        ) : (
          <Form.Item
            name="value"
            label={t('totp.code')}
            rules={[{ pattern: /^\d{6}$/, required: true, message: t('validation.totpCode') }]}
          >
            <Input
              inputMode="numeric"
              autoComplete="one-time-code"
              placeholder={t('totp.codePlaceholder')}
              maxLength={6}
            />
          </Form.Item>
        )}
      </Form>
    </>
  );
}
