import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Form, Input, Selector, Toast } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { isApiError } from '../api/client.ts';
import { fetchFreeze, fetchUnfreezeOptions, freezeKey, sendUnfreezeCode, unfreeze } from '../api/freeze.ts';
import { securityKey } from '../api/security.ts';
import { useMe } from '../auth/session.ts';
import { FormError, SmsCodeField } from '../components/FormBits.tsx';
import { Page } from '../components/Page.tsx';
import { SmsCodeButton } from '../components/SmsCodeButton.tsx';
import { LoadFailed, Loading } from '../components/States.tsx';
import { IdNumberItem } from './ForgotPassword.tsx';
import { passkeyErrorMessage } from './Passkeys.tsx';
import './freeze.css';

type Factor = 'passkey' | 'totp';

interface UnfreezeForm {
  smsCode: string;
  idNumber: string;
  totpCode?: string;
}

/**
 * Answers the server gives only after it used the SMS code up (docs/freeze.md): a new code is
 * needed for the next try.
 */
const SPENT_THE_CODE = new Set([
  'ID_NUMBER_MISMATCH',
  'TOTP_INVALID',
  'TOTP_REUSED',
  'TOTP_NOT_ENABLED',
  'PAYMENTS_LOCKED',
  'PASSKEY_VERIFICATION_FAILED',
  'CHALLENGE_EXPIRED',
  'FACTOR_NOT_ACCEPTED',
]);

/**
 * 解冻钱包: three proofs that it is the holder — an `unfreeze` SMS code, the resident ID number
 * (checked while typing), and a passkey or the authenticator app set up before the freeze. Only
 * for a freeze of the holder's own kinds; otherwise, and when no second factor can lift it, the
 * screen says to contact customer service instead of showing a form that cannot succeed.
 */
export function Unfreeze() {
  const { t } = useTranslation();
  const freeze = useQuery({ queryKey: freezeKey, queryFn: fetchFreeze });
  const liftable = freeze.data?.liftableBy === 'holder';
  const options = useQuery({
    queryKey: ['unfreeze-options'],
    queryFn: fetchUnfreezeOptions,
    enabled: liftable,
    staleTime: 0,
  });
  let body;
  if (freeze.isPending || (liftable && options.isPending)) body = <Loading />;
  else if (freeze.isError) body = <LoadFailed error={freeze.error} onRetry={() => void freeze.refetch()} />;
  else if (freeze.data.mode === 'none') body = <Notice text={t('unfreeze.notFrozen')} />;
  else if (!liftable) body = <Notice text={t('freeze.operatorOnly')} />;
  else if (options.isError)
    body = <LoadFailed error={options.error} onRetry={() => void options.refetch()} />;
  else if (!options.data?.usable.passkey && !options.data?.usable.totp)
    body = <Notice text={t('unfreeze.noFactor')} />;
  else {
    const factors = (['passkey', 'totp'] as const).filter((factor) => options.data.usable[factor]);
    body = <UnfreezeFlow factors={factors} />;
  }
  return (
    <Page title={t('unfreeze.title')} backTo="/me/security/freeze">
      {body}
    </Page>
  );
}

function Notice(props: { text: string }) {
  return (
    <p className="notice" role="status">
      {props.text}
    </p>
  );
}

function UnfreezeFlow(props: { factors: readonly Factor[] }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useMe();
  const [form] = Form.useForm<UnfreezeForm>();
  const [factor, setFactor] = useState<Factor>(props.factors[0]!);
  const [submitting, setSubmitting] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const submit = async (values: UnfreezeForm) => {
    setSubmitting(true);
    setFailure(null);
    try {
      await unfreeze({
        smsCode: values.smsCode,
        idNumber: values.idNumber.trim().toUpperCase(),
        ...(factor === 'totp' ? { totpCode: values.totpCode ?? '' } : {}),
      });
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: freezeKey }),
        queryClient.invalidateQueries({ queryKey: securityKey }),
      ]);
      Toast.show({ icon: 'success', content: t('unfreeze.done') });
      void navigate('/', { replace: true });
    } catch (error) {
      let message = passkeyErrorMessage(error);
      if (isApiError(error) && SPENT_THE_CODE.has(error.code)) {
        form.setFieldValue('smsCode', '');
        // ID_NUMBER_MISMATCH says so itself.
        if (error.code !== 'ID_NUMBER_MISMATCH') message = t('unfreeze.withNewCode', { message });
      }
      if (isApiError(error) && error.code.startsWith('TOTP_')) form.setFieldValue('totpCode', '');
      setFailure(message);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <>
      <p className="page-intro">{t('unfreeze.intro', { phone: me.data?.phone ?? '' })}</p>
      <Form
        form={form}
        name="unfreeze"
        layout="horizontal"
        requiredMarkStyle="none"
        onFinish={(values: UnfreezeForm) => void submit(values)}
        footer={
          <>
            <FormError message={failure} />
            <Button block type="submit" color="primary" size="large" shape="rounded" loading={submitting}>
              {factor === 'passkey' ? t('unfreeze.submitPasskey') : t('unfreeze.submitTotp')}
            </Button>
          </>
        }
      >
        <SmsCodeField name="smsCode" sendButton={<SmsCodeButton send={sendUnfreezeCode} />} />
        <IdNumberItem required />
        <Form.Header>
          <div className="unfreeze-factor">
            <h2 id="unfreeze-factor-title">{t('unfreeze.factorTitle')}</h2>
            <Selector
              aria-labelledby="unfreeze-factor-title"
              columns={2}
              value={[factor]}
              onChange={(value) => {
                if (value[0]) setFactor(value[0]);
              }}
              options={props.factors.map((value) => ({ value, label: t(`unfreeze.factor.${value}`) }))}
            />
            {factor === 'passkey' ? <p className="section-hint">{t('unfreeze.passkeyHint')}</p> : null}
          </div>
        </Form.Header>
        {factor === 'totp' ? (
          <Form.Item
            name="totpCode"
            label={t('unfreeze.totpCode')}
            rules={[{ pattern: /^\d{6}$/, required: true, message: t('validation.totpCode') }]}
          >
            <Input
              inputMode="numeric"
              autoComplete="one-time-code"
              placeholder={t('unfreeze.totpPlaceholder')}
              maxLength={6}
            />
          </Form.Item>
        ) : null}
      </Form>
    </>
  );
}
