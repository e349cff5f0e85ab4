import { Toast } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage, isApiError } from '../api/client.ts';
import { sendSmsCode } from '../api/identity.ts';
import type { SmsCodeSent, SmsPurpose } from '../api/identity.ts';
import { isMainlandMobile, normalisePhone } from '../lib/format.ts';

const MAX_COUNTDOWN_SECONDS = 120;

type Target =
  /** A code to a number typed on the screen (sign-up, sign-in). */
  | { phone: string; purpose: SmsPurpose; send?: undefined }
  /** A code to the signed-in holder's own number (`POST /v1/me/sms-codes`). */
  | { send: () => Promise<SmsCodeSent>; phone?: undefined; purpose?: undefined };

/** "获取验证码", then a countdown until another code may be asked for. */
export function SmsCodeButton(props: Target & { onSent?: () => void }) {
  const { t } = useTranslation();
  const [secondsLeft, setSecondsLeft] = useState(0);
  const [sending, setSending] = useState(false);
  const [sentOnce, setSentOnce] = useState(false);

  useEffect(() => {
    if (secondsLeft <= 0) return;
    const timer = setTimeout(() => setSecondsLeft(secondsLeft - 1), 1000);
    return () => clearTimeout(timer);
  }, [secondsLeft]);

  const send = async () => {
    if (!props.send && !isMainlandMobile(props.phone)) {
      Toast.show({ content: t('validation.phone') });
      return;
    }
    setSending(true);
    try {
      const sent = props.send
        ? await props.send()
        : await sendSmsCode(normalisePhone(props.phone), props.purpose);
      setSecondsLeft(sent.resendAfterSeconds);
      setSentOnce(true);
      Toast.show({ content: t('sms.sent') });
      props.onSent?.();
    } catch (error) {
      // A short wait is counted down on the button; a long block (an hour) is only said.
      const retryAfter = isApiError(error) ? error.details.retryAfterSeconds : undefined;
      if (typeof retryAfter === 'number' && retryAfter > 0 && retryAfter <= MAX_COUNTDOWN_SECONDS) {
        setSecondsLeft(Math.ceil(retryAfter));
      }
      Toast.show({ content: errorMessage(error) });
    } finally {
      setSending(false);
    }
  };

  const waiting = secondsLeft > 0;
  return (
    <button
      type="button"
      className="sms-code-button"
      disabled={waiting || sending}
      onClick={() => void send()}
      aria-live="polite"
    >
      {waiting ? t('sms.resendIn', { seconds: secondsLeft }) : sentOnce ? t('sms.resend') : t('sms.getCode')}
    </button>
  );
}
