import { Button, Form, Input } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import { errorMessage, isApiError } from '../api/client.ts';
import { resetPassword } from '../api/identity.ts';
import { markSignedOut } from '../auth/session.ts';
import { FormError, PasswordRules, PhoneField, SmsCodeField } from '../components/FormBits.tsx';
import { Page } from '../components/Page.tsx';
import { PasswordInput } from '../components/PasswordInput.tsx';
import { SmsCodeButton } from '../components/SmsCodeButton.tsx';
import { idNumberProblem } from '../lib/checks.ts';
import { checkPassword, normalisePhone } from '../lib/format.ts';
import type { SignInState } from './SignIn.tsx';

interface ResetForm {
  phone: string;
  code: string;
  newPassword: string;
  idNumber?: string;
}

/** Where the reset flow starts: the number typed on the sign-in screen comes along. */
export interface ForgotPasswordState {
  phone?: string;
}

/**
 * 忘记密码: a forgotten login password, reset with a `reset_password` SMS code to the number
 * (and the ID number once the wallet is real-name verified — the server says so only after the
 * code, so the field is always offered). The server ends every session; the holder signs in
 * again with the new password on the sign-in screen, the number already filled in.
 */
export function ForgotPassword() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const initialPhone = (location.state as ForgotPasswordState | null)?.phone ?? '';
  const [form] = Form.useForm<ResetForm>();
  const phone = Form.useWatch('phone', form) ?? '';
  const newPassword = Form.useWatch('newPassword', form) ?? '';
  const [idNumberNeeded, setIdNumberNeeded] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const submit = async (values: ResetForm) => {
    setSubmitting(true);
    setFailure(null);
    const normalised = normalisePhone(values.phone);
    const idNumber = values.idNumber?.trim().toUpperCase();
    try {
      await resetPassword({
        phone: normalised,
        code: values.code,
        newPassword: values.newPassword,
        ...(idNumber ? { idNumber } : {}),
      });
      // Every session ended on the server, this browser's too.
      markSignedOut();
      const state: SignInState = { passwordReset: true, phone: normalised };
      void navigate('/sign-in', { replace: true, state });
    } catch (error) {
      // The code is used up by any answer after it was checked: ask for a new one.
      if (isApiError(error, 'ID_NUMBER_REQUIRED') || isApiError(error, 'ID_NUMBER_MISMATCH')) {
        setIdNumberNeeded(true);
        form.setFieldValue('code', '');
      }
      setFailure(errorMessage(error));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Page title={t('forgotPassword.title')} backTo="/sign-in">
      <p className="page-intro">{t('forgotPassword.intro')}</p>
      <Form
        form={form}
        name="forgotPassword"
        initialValues={{ phone: initialPhone }}
        layout="horizontal"
        requiredMarkStyle="none"
        onFinish={(values: ResetForm) => void submit(values)}
        footer={
          <>
            <FormError message={failure} />
            <Button block type="submit" color="primary" size="large" shape="rounded" loading={submitting}>
              {t('forgotPassword.submit')}
            </Button>
            <p className="form-switch">
              <Link to="/sign-in">{t('forgotPassword.backToSignIn')}</Link>
            </p>
          </>
        }
      >
        <PhoneField />
        <SmsCodeField name="code" sendButton={<SmsCodeButton phone={phone} purpose="reset_password" />} />
        <Form.Item
          name="newPassword"
          label={t('forgotPassword.newPassword')}
          description={<PasswordRules password={newPassword} phone={phone} />}
          rules={[
            {
              validator: (_rule, value: string | undefined) =>
                checkPassword(value ?? '', phone).every((check) => check.ok)
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('validation.password'))),
            },
          ]}
        >
          <PasswordInput
            autoComplete="new-password"
            placeholder={t('forgotPassword.newPasswordPlaceholder')}
          />
        </Form.Item>
        <IdNumberItem required={idNumberNeeded} />
      </Form>
    </Page>
  );
}

/**
 * The resident ID number a real-name verified wallet is asked for when a password or PIN is
 * recovered: optional until the server says it is needed (`required`), checked while typing.
 */
export function IdNumberItem(props: { required: boolean; name?: string }) {
  const { t } = useTranslation();
  return (
    <Form.Item
      name={props.name ?? 'idNumber'}
      label={t('kyc.idNumber')}
      description={props.required ? null : t('forgotPassword.idNumberHint')}
      rules={[
        {
          validator: (_rule, value: string | undefined) => {
            const text = (value ?? '').trim();
            if (text === '') {
              return props.required ? Promise.reject(new Error(t('validation.idNumber'))) : Promise.resolve();
            }
            const problem = /^\d{17}[\dXx]$/.test(text) ? idNumberProblem(text) : 'format';
            return problem
              ? Promise.reject(new Error(t(`errors.INVALID_ID_NUMBER_${problem}`)))
              : Promise.resolve();
          },
        },
      ]}
    >
      <Input autoComplete="off" placeholder={t('kyc.idNumberPlaceholder')} maxLength={18} clearable />
    </Form.Item>
  );
}
