import { Button, Form, Input, Tabs } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import { errorMessage, isApiError } from '../api/client.ts';
import { signInWithPassword, signInWithSms } from '../api/identity.ts';
import { passkeysSupported, signInWithPasskey } from '../api/security.ts';
import { markSignedIn } from '../auth/session.ts';
import { FormError, PhoneField, SmsCodeField, phoneRule } from '../components/FormBits.tsx';
import { Page } from '../components/Page.tsx';
import { PasswordInput } from '../components/PasswordInput.tsx';
import { KeyIcon } from '../components/icons.tsx';
import { SmsCodeButton } from '../components/SmsCodeButton.tsx';
import { normalisePhone } from '../lib/format.ts';
import type { ForgotPasswordState } from './ForgotPassword.tsx';
import { passkeyErrorMessage } from './Passkeys.tsx';

export interface SignInState {
  /** The server ended the session (idle, signed out elsewhere): say so. */
  expired?: boolean;
  /** Back from resetting a forgotten password: say so, with the number filled in. */
  passwordReset?: boolean;
  phone?: string;
}

export function SignIn() {
  const { t } = useTranslation();
  const location = useLocation();
  const state = location.state as SignInState | null;
  const expired = state?.expired === true;
  const passwordReset = state?.passwordReset === true;
  // The number typed on one tab is already there on the other (and in the forgotten-password flow).
  const [phone, setPhone] = useState(state?.phone ?? '');
  return (
    <Page title={t('signIn.title')} backTo="/welcome">
      {expired ? (
        <p className="notice" role="status">
          {t('signIn.expired')}
        </p>
      ) : null}
      {passwordReset ? (
        <p className="notice success" role="status">
          {t('signIn.passwordReset')}
        </p>
      ) : null}
      <Tabs defaultActiveKey="password" className="sign-in-tabs">
        <Tabs.Tab title={t('signIn.tabPassword')} key="password" destroyOnClose>
          <PasswordSignIn phone={phone} onPhoneChange={setPhone} />
        </Tabs.Tab>
        <Tabs.Tab title={t('signIn.tabSms')} key="sms" destroyOnClose>
          <SmsSignIn phone={phone} onPhoneChange={setPhone} />
        </Tabs.Tab>
      </Tabs>
      {passkeysSupported() ? <PasskeySignIn /> : null}
      <p className="form-switch report-loss-link">
        <Link to="/report-loss">{t('reportLoss.link')}</Link>
      </p>
      <p className="form-switch">
        {t('signIn.noAccount')} <Link to={`/register${location.search}`}>{t('signIn.register')}</Link>
      </p>
    </Page>
  );
}

function useSignedIn() {
  const navigate = useNavigate();
  const location = useLocation();
  return () => {
    markSignedIn();
    void navigate(nextPath(location.search), { replace: true });
  };
}

/**
 * Where to go once signed in: `?next=` when it is a path of this app (a hosted checkout sends
 * its customer here and back), never another site; else home.
 */
export function nextPath(search: string): string {
  const next = new URLSearchParams(search).get('next');
  return next && /^\/[A-Za-z0-9/_-]*$/.test(next) ? next : '/';
}

/** No phone number, no password: the device's fingerprint or face and a passkey it holds. */
function PasskeySignIn() {
  const { t } = useTranslation();
  const signedIn = useSignedIn();
  const [submitting, setSubmitting] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const submit = async () => {
    setSubmitting(true);
    setFailure(null);
    try {
      await signInWithPasskey();
      signedIn();
    } catch (error) {
      setFailure(passkeyErrorMessage(error));
    } finally {
      setSubmitting(false);
    }
  };
  return (
    <div className="passkey-sign-in">
      <p className="divider-text" aria-hidden="true">
        <span>{t('signIn.or')}</span>
      </p>
      <FormError message={failure} />
      <Button
        block
        size="large"
        shape="rounded"
        fill="outline"
        className="passkey-button"
        loading={submitting}
        onClick={() => void submit()}
      >
        <KeyIcon className="button-icon" />
        {t('signIn.passkey')}
      </Button>
    </div>
  );
}

interface PasswordForm {
  phone: string;
  password: string;
  smsCode?: string;
}

interface SharedPhone {
  phone: string;
  onPhoneChange: (phone: string) => void;
}

function PasswordSignIn(props: SharedPhone) {
  const { t } = useTranslation();
  const signedIn = useSignedIn();
  const [form] = Form.useForm<PasswordForm>();
  const phone = Form.useWatch('phone', form) ?? '';
  const [needsDeviceCode, setNeedsDeviceCode] = useState(false);
  const forgotState: ForgotPasswordState = { phone };
  const [submitting, setSubmitting] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const submit = async (values: PasswordForm) => {
    setSubmitting(true);
    setFailure(null);
    try {
      await signInWithPassword({
        phone: normalisePhone(values.phone),
        password: values.password,
        ...(needsDeviceCode && values.smsCode ? { smsCode: values.smsCode } : {}),
      });
      signedIn();
    } catch (error) {
      if (isApiError(error, 'NEW_DEVICE_VERIFICATION_REQUIRED') && !needsDeviceCode) {
        setNeedsDeviceCode(true);
      } else {
        setFailure(errorMessage(error));
      }
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Form
      form={form}
      name="signInPassword"
      initialValues={{ phone: props.phone }}
      onValuesChange={(changed: Partial<PasswordForm>) => {
        if (changed.phone !== undefined) props.onPhoneChange(changed.phone);
      }}
      layout="horizontal"
      requiredMarkStyle="none"
      onFinish={(values: PasswordForm) => void submit(values)}
      footer={
        <>
          <FormError message={failure} />
          <Button block type="submit" color="primary" size="large" shape="rounded" loading={submitting}>
            {needsDeviceCode ? t('signIn.verifyAndSignIn') : t('signIn.submit')}
          </Button>
          <p className="form-switch forgot-password">
            <Link to="/forgot-password" state={forgotState}>
              {t('signIn.forgotPassword')}
            </Link>
          </p>
        </>
      }
    >
      <Form.Item name="phone" label={t('fields.phone')} rules={[phoneRule(t('validation.phone'))]}>
        <Input
          type="tel"
          inputMode="numeric"
          autoComplete="username"
          placeholder={t('fields.phonePlaceholder')}
          maxLength={14}
          clearable
          readOnly={needsDeviceCode}
        />
      </Form.Item>
      <Form.Item
        name="password"
        label={t('fields.password')}
        rules={[{ required: true, message: t('validation.passwordRequired') }]}
      >
        <PasswordInput autoComplete="current-password" placeholder={t('fields.passwordPlaceholder')} />
      </Form.Item>
      {needsDeviceCode ? (
        <>
          <Form.Header>
            <span className="new-device-note" role="status">
              {t('signIn.newDevice')}
            </span>
          </Form.Header>
          <SmsCodeField name="smsCode" sendButton={<SmsCodeButton phone={phone} purpose="new_device" />} />
        </>
      ) : null}
    </Form>
  );
}

interface SmsForm {
  phone: string;
  code: string;
}

function SmsSignIn(props: SharedPhone) {
  const { t } = useTranslation();
  const signedIn = useSignedIn();
  const [form] = Form.useForm<SmsForm>();
  const phone = Form.useWatch('phone', form) ?? '';
  const [submitting, setSubmitting] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const submit = async (values: SmsForm) => {
    setSubmitting(true);
    setFailure(null);
    try {
      await signInWithSms({ phone: normalisePhone(values.phone), code: values.code });
      signedIn();
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Form
      form={form}
      name="signInSms"
      initialValues={{ phone: props.phone }}
      onValuesChange={(changed: Partial<SmsForm>) => {
        if (changed.phone !== undefined) props.onPhoneChange(changed.phone);
      }}
      layout="horizontal"
      requiredMarkStyle="none"
      onFinish={(values: SmsForm) => void submit(values)}
      footer={
        <>
          <FormError message={failure} />
          <Button block type="submit" color="primary" size="large" shape="rounded" loading={submitting}>
            {t('signIn.submit')}
          </Button>
        </>
      }
    >
      <PhoneField />
      <SmsCodeField name="code" sendButton={<SmsCodeButton phone={phone} purpose="login" />} />
    </Form>
  );
}
