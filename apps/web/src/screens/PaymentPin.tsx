import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, DotLoading, Form, Steps, Toast } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { errorMessage, isApiError } from '../api/client.ts';
import { checkLoginPassword, fetchSecurity, securityKey, sendVerifyCode, setPin } from '../api/security.ts';
import { meQueryKey, useMe } from '../auth/session.ts';
import { FormError, SmsCodeField } from '../components/FormBits.tsx';
import { Page, useGoBack } from '../components/Page.tsx';
import { PasswordInput } from '../components/PasswordInput.tsx';
import { PinInput } from '../components/PinInput.tsx';
import { SmsCodeButton } from '../components/SmsCodeButton.tsx';
import { pinProblem } from '../lib/checks.ts';
import { IdNumberItem } from './ForgotPassword.tsx';

type Step = 'verify' | 'enter' | 'confirm';
const STEPS: readonly Step[] = ['verify', 'enter', 'confirm'];

interface VerifyForm {
  password: string;
  smsCode: string;
  idNumber?: string;
}

/** `/me/security/pin?forgot=1`: where "忘记支付密码？" leads (the confirmation sheet, a locked wallet). */
export const RESET_PIN_PATH = '/me/security/pin?forgot=1';

/**
 * Set, change or reset (forgotten) the six-digit transaction PIN: who the holder is first — the
 * login password, checked by the server before anything else (a wrong one counts toward the
 * sign-in lockout), an SMS code, and the ID number when a real-name verified holder replaces a
 * PIN — then the PIN twice on the number pad. The old PIN is never asked, so a forgotten one is
 * no dead end; a forgotten login password has its own way back (the link to /forgot-password).
 * The server refuses trivial PINs (PIN_TOO_SIMPLE) before it spends the password or the code,
 * so a refused PIN only sends the holder back one step.
 */
export function PaymentPin() {
  const { t } = useTranslation();
  const [search] = useSearchParams();
  const forgot = search.get('forgot') === '1';
  const leave = useGoBack('/me/security', { replace: true });
  const queryClient = useQueryClient();
  const me = useMe();
  const security = useQuery({ queryKey: securityKey, queryFn: fetchSecurity });
  const [form] = Form.useForm<VerifyForm>();
  const [step, setStep] = useState<Step>('verify');
  const [verified, setVerified] = useState<VerifyForm | null>(null);
  const [first, setFirst] = useState('');
  const [second, setSecond] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [checking, setChecking] = useState(false);
  const changing = security.data?.pin.set === true;
  const needsIdNumber = changing && me.data?.realNameVerified === true;
  const title = changing ? (forgot ? t('pin.resetTitle') : t('pin.changeTitle')) : t('pin.setTitle');

  /** The password alone first, so a mistake is said before the PIN is typed twice. */
  const verify = async (values: VerifyForm) => {
    setChecking(true);
    setFailure(null);
    try {
      await checkLoginPassword(values.password);
      setVerified(values);
      goTo('enter');
    } catch (error) {
      form.setFieldValue('password', '');
      setFailure(errorMessage(error));
    } finally {
      setChecking(false);
    }
  };

  const goTo = (next: Step, message: string | null = null) => {
    setFailure(message);
    setStep(next);
    if (next !== 'confirm') setSecond('');
    if (next === 'enter' || next === 'verify') setFirst('');
  };

  const onFirst = (pin: string) => {
    const problem = pinProblem(pin);
    if (problem) {
      setFirst('');
      setFailure(t(`errors.PIN_TOO_SIMPLE_${problem}`));
      return;
    }
    goTo('confirm');
    setFirst(pin);
  };

  const onSecond = async (pin: string) => {
    if (pin !== first) {
      goTo('enter', t('pin.mismatch'));
      return;
    }
    if (!verified) {
      goTo('verify');
      return;
    }
    setSubmitting(true);
    setFailure(null);
    try {
      const idNumber = verified.idNumber?.trim().toUpperCase();
      await setPin({
        password: verified.password,
        smsCode: verified.smsCode,
        pin,
        ...(idNumber ? { idNumber } : {}),
      });
      Toast.show({ icon: 'success', content: changing ? t('pin.changed') : t('pin.set') });
      void queryClient.invalidateQueries({ queryKey: securityKey });
      leave();
    } catch (error) {
      if (isApiError(error, 'PIN_TOO_SIMPLE')) {
        goTo('enter', errorMessage(error));
      } else if (isApiError(error, 'ID_NUMBER_REQUIRED')) {
        // Refused before the code was checked: the code stands, only the ID number is missing
        // (verified since this page loaded: fetch the holder again, which shows its field).
        void queryClient.invalidateQueries({ queryKey: meQueryKey });
        goTo('verify', t('pin.idNumberRequired'));
      } else {
        // A wrong code or ID number (or anything else): verify again; the PIN is asked anew. Any
        // answer after the code was checked used it up, so it is asked anew too.
        form.setFieldValue('smsCode', '');
        goTo('verify', errorMessage(error));
      }
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Page title={title} backTo="/me/security">
      <Steps current={STEPS.indexOf(step)} className="pin-steps">
        <Steps.Step title={t('pin.stepVerify')} />
        <Steps.Step title={t('pin.stepEnter')} />
        <Steps.Step title={t('pin.stepConfirm')} />
      </Steps>
      {step === 'verify' ? (
        <>
          <p className="page-intro">
            {forgot && changing
              ? t(needsIdNumber ? 'pin.resetIntroWithId' : 'pin.resetIntro', { phone: me.data?.phone ?? '' })
              : t(needsIdNumber ? 'pin.verifyIntroWithId' : 'pin.verifyIntro', {
                  phone: me.data?.phone ?? '',
                })}
          </p>
          <Form
            form={form}
            name="pinVerify"
            layout="horizontal"
            requiredMarkStyle="none"
            onFinish={(values: VerifyForm) => void verify(values)}
            footer={
              <>
                <FormError message={failure} />
                <Button block type="submit" color="primary" size="large" shape="rounded" loading={checking}>
                  {t('pin.next')}
                </Button>
                <p className="form-switch">
                  <Link to="/forgot-password">{t('pin.forgotLoginPassword')}</Link>
                </p>
              </>
            }
          >
            <Form.Item
              name="password"
              label={t('fields.newPassword')}
              rules={[{ required: true, message: t('validation.passwordRequired') }]}
            >
              <PasswordInput autoComplete="current-password" placeholder={t('fields.passwordPlaceholder')} />
            </Form.Item>
            <SmsCodeField name="smsCode" sendButton={<SmsCodeButton send={sendVerifyCode} />} />
            {needsIdNumber ? <IdNumberItem required /> : null}
          </Form>
        </>
      ) : (
        <section className="pin-step" aria-labelledby="pin-step-title">
          <h2 id="pin-step-title" className="pin-step-title">
            {step === 'enter' ? t('pin.enterTitle') : t('pin.confirmTitle')}
          </h2>
          <p className="pin-step-hint">{step === 'enter' ? t('pin.enterHint') : t('pin.confirmHint')}</p>
          {step === 'enter' ? (
            <PinInput
              key="enter"
              value={first}
              onChange={(value) => {
                setFirst(value);
                if (value) setFailure(null);
              }}
              onFill={onFirst}
              label={t('pin.enterTitle')}
              error={failure !== null}
              autoFocus
            />
          ) : (
            <PinInput
              key="confirm"
              value={second}
              onChange={setSecond}
              onFill={(pin) => void onSecond(pin)}
              label={t('pin.confirmTitle')}
              autoFocus
            />
          )}
          {submitting ? (
            <p className="pin-step-status" role="status">
              <DotLoading color="primary" /> {t('pin.saving')}
            </p>
          ) : null}
          <div className="pin-step-error">
            <FormError message={failure} />
          </div>
        </section>
      )}
    </Page>
  );
}
