import { Button, Form } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { ApiError, errorMessage, isApiError } from '../api/client.ts';
import { reportLoss } from '../api/freeze.ts';
import type { LossReport } from '../api/freeze.ts';
import { sendSmsCode } from '../api/identity.ts';
import { markSignedOut } from '../auth/session.ts';
import { FormError, PhoneField, SmsCodeField } from '../components/FormBits.tsx';
import { Page } from '../components/Page.tsx';
import { SmsCodeButton } from '../components/SmsCodeButton.tsx';
import { normalisePhone } from '../lib/format.ts';
import { IdNumberItem } from './ForgotPassword.tsx';
import type { SignInState } from './SignIn.tsx';
import './freeze.css';

interface ReportForm {
  phone: string;
  idNumber: string;
  smsCode: string;
}

/**
 * 挂失手机: from any device, signed out — the wallet's number, the holder's ID number, and a
 * `report_loss` SMS code. The number and the ID number are checked here before a code is asked
 * for. The answer says what happened (frozen in full, every device signed out, passkeys
 * suspended) and how to unfreeze.
 */
export function ReportLoss() {
  const { t } = useTranslation();
  const [form] = Form.useForm<ReportForm>();
  const [submitting, setSubmitting] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [report, setReport] = useState<LossReport | null>(null);

  /** The code only once the number and the ID number look right (the fields say what is wrong). */
  const sendCode = async () => {
    try {
      await form.validateFields(['phone', 'idNumber']);
    } catch {
      throw new ApiError({ status: 0, code: 'REPORT_LOSS_CHECK_FIELDS', message: '' });
    }
    return sendSmsCode(normalisePhone(form.getFieldValue('phone') as string), 'report_loss');
  };

  const submit = async (values: ReportForm) => {
    setSubmitting(true);
    setFailure(null);
    try {
      const done = await reportLoss({
        phone: normalisePhone(values.phone),
        smsCode: values.smsCode,
        idNumber: values.idNumber.trim().toUpperCase(),
      });
      // Every session ended, this browser's too if it had one.
      markSignedOut();
      setReport(done);
    } catch (error) {
      // An ID number refused after the code was checked used the code up.
      if (isApiError(error, 'ID_NUMBER_MISMATCH') || isApiError(error, 'FREEZE_REAL_NAME_REQUIRED')) {
        form.setFieldValue('smsCode', '');
      }
      setFailure(errorMessage(error));
    } finally {
      setSubmitting(false);
    }
  };

  if (report) return <ReportDone report={report} />;
  return (
    <Page title={t('reportLoss.title')} backTo="/sign-in">
      <p className="page-intro">{t('reportLoss.intro')}</p>
      <p className="page-intro">{t('reportLoss.needs')}</p>
      <Form
        form={form}
        name="reportLoss"
        layout="horizontal"
        requiredMarkStyle="none"
        onFinish={(values: ReportForm) => void submit(values)}
        footer={
          <>
            <FormError message={failure} />
            <Button block type="submit" color="primary" size="large" shape="rounded" loading={submitting}>
              {t('reportLoss.submit')}
            </Button>
            <p className="form-switch">
              <Link to="/sign-in">{t('forgotPassword.backToSignIn')}</Link>
            </p>
          </>
        }
      >
        <PhoneField />
        <IdNumberItem required />
        <SmsCodeField name="smsCode" sendButton={<SmsCodeButton send={sendCode} />} />
      </Form>
    </Page>
  );
}

function ReportDone(props: { report: LossReport }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { report } = props;
  const toSignIn = () => {
    const state: SignInState = {};
    void navigate('/sign-in', { replace: true, state });
  };
  return (
    <Page title={t('reportLoss.title')} backTo="/sign-in">
      <section className="loss-done" aria-labelledby="loss-done-title" role="status">
        <h2 id="loss-done-title">{t('reportLoss.doneTitle')}</h2>
        <ul>
          <li>
            <span aria-hidden="true">✓</span>
            <span>{t('reportLoss.doneFrozen')}</span>
          </li>
          <li>
            <span aria-hidden="true">✓</span>
            <span>
              {report.sessionsEnded > 0
                ? t('reportLoss.doneSessions', { count: report.sessionsEnded })
                : t('reportLoss.doneNoSessions')}
            </span>
          </li>
          <li>
            <span aria-hidden="true">✓</span>
            <span>
              {report.passkeysSuspended > 0
                ? t('reportLoss.donePasskeys', { count: report.passkeysSuspended })
                : t('reportLoss.doneNoPasskeys')}
            </span>
          </li>
        </ul>
        <h3>{t('reportLoss.howTitle')}</h3>
        <p>{t('reportLoss.how')}</p>
      </section>
      <div className="page-actions">
        <Button block color="primary" size="large" shape="rounded" onClick={toSignIn}>
          {t('reportLoss.signIn')}
        </Button>
      </div>
    </Page>
  );
}
