import { Button, Form } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import { errorMessage } from '../api/client.ts';
import { register } from '../api/identity.ts';
import { markSignedIn } from '../auth/session.ts';
import { FormError, PasswordRules, PhoneField, SmsCodeField } from '../components/FormBits.tsx';
import { Page } from '../components/Page.tsx';
import { PasswordInput } from '../components/PasswordInput.tsx';
import { SmsCodeButton } from '../components/SmsCodeButton.tsx';
import { checkPassword, normalisePhone } from '../lib/format.ts';
import { nextPath } from './SignIn.tsx';

interface RegisterForm {
  phone: string;
  code: string;
  password: string;
}

export function Register() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  // Where the newcomer was going (a red packet's link, a shop's checkout): back there after.
  const location = useLocation();
  const [form] = Form.useForm<RegisterForm>();
  const phone = Form.useWatch('phone', form) ?? '';
  const password = Form.useWatch('password', form) ?? '';
  const [submitting, setSubmitting] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const submit = async (values: RegisterForm) => {
    setSubmitting(true);
    setFailure(null);
    try {
      await register({ phone: normalisePhone(values.phone), code: values.code, password: values.password });
      markSignedIn();
      void navigate(nextPath(location.search), { replace: true });
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Page title={t('register.title')} backTo="/welcome">
      <p className="page-intro">{t('register.intro')}</p>
      <Form
        form={form}
        name="register"
        layout="horizontal"
        requiredMarkStyle="none"
        onFinish={(values: RegisterForm) => void submit(values)}
        footer={
          <>
            <FormError message={failure} />
            <Button block type="submit" color="primary" size="large" shape="rounded" loading={submitting}>
              {t('register.submit')}
            </Button>
            <p className="form-switch">
              {t('register.haveAccount')} <Link to="/sign-in">{t('register.signIn')}</Link>
            </p>
          </>
        }
      >
        <PhoneField />
        <SmsCodeField name="code" sendButton={<SmsCodeButton phone={phone} purpose="register" />} />
        <Form.Item
          name="password"
          label={t('fields.newPassword')}
          description={<PasswordRules password={password} phone={phone} />}
          rules={[
            {
              validator: (_rule, value: string | undefined) =>
                checkPassword(value ?? '', phone).every((check) => check.ok)
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('validation.password'))),
            },
          ]}
        >
          <PasswordInput autoComplete="new-password" placeholder={t('fields.newPasswordPlaceholder')} />
        </Form.Item>
      </Form>
    </Page>
  );
}
