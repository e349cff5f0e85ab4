import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, DotLoading, Form, Steps, Toast } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage, isApiError } from '../api/client.ts';
import { fetchSecurity, securityKey, sendVerifyCode, setPin } from '../api/security.ts';
import { useMe } from '../auth/session.ts';
import { FormError, SmsCodeField } from '../components/FormBits.tsx';
import { Page, useGoBack } from '../components/Page.tsx';
import { PasswordInput } from '../components/PasswordInput.tsx';
import { PinInput } from '../components/PinInput.tsx';
import { SmsCodeButton } from '../components/SmsCodeButton.tsx';
import { pinProblem } from '../lib/checks.ts';

type Step = 'verify' | 'enter' | 'confirm';
const STEPS: readonly Step[] = ['verify', 'enter', 'confirm'];

interface VerifyForm {
  password: string;
  smsCode: string;
}

/**
 * Set or change the six-digit transaction PIN: the login password and an SMS code first, then
 * the PIN twice on the number pad. The server refuses trivial PINs (PIN_TOO_SIMPLE) before it
 * spends the password or the code, so a refused PIN only sends the holder back one step.
 */
export function PaymentPin() {
  const { t } = useTranslation();
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
  const changing = security.data?.pin.set === true;
  const title = changing ? t('pin.changeTitle') : t('pin.setTitle');

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
      await setPin({ password: verified.password, smsCode: verified.smsCode, pin });
      Toast.show({ icon: 'success', content: changing ? t('pin.changed') : t('pin.set') });
      void queryClient.invalidateQueries({ queryKey: securityKey });
      leave();
    } catch (error) {
      if (isApiError(error, 'PIN_TOO_SIMPLE')) {
        goTo('enter', errorMessage(error));
      } else {
        // A wrong password or code (or anything else): verify again; the PIN is asked anew.
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
          <p className="page-intro">{t('pin.verifyIntro', { phone: me.data?.phone ?? '' })}</p>
          <Form
            form={form}
            name="pinVerify"
            layout="horizontal"
            requiredMarkStyle="none"
            onFinish={(values: VerifyForm) => {
              setVerified(values);
              goTo('enter');
            }}
            footer={
              <>
                <FormError message={failure} />
                <Button block type="submit" color="primary" size="large" shape="rounded">
                  {t('pin.next')}
                </Button>
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
