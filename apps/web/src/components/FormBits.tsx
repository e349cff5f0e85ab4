import { useQuery } from '@tanstack/react-query';
import { Form, Input } from 'antd-mobile';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { fetchSandboxMode } from '../api/identity.ts';
import { checkPassword, isMainlandMobile } from '../lib/format.ts';

/** A failed submit, said where the person is looking (and read out by screen readers). */
export function FormError(props: { message: string | null }) {
  if (!props.message) return null;
  return (
    <p className="form-error" role="alert">
      {props.message}
    </p>
  );
}

/** In sandbox mode no SMS leaves the server: say where the codes are. */
export function SandboxSmsHint() {
  const { t } = useTranslation();
  const sandbox = useQuery({ queryKey: ['sandbox'], queryFn: fetchSandboxMode, staleTime: Infinity });
  if (!sandbox.data) return null;
  return (
    <p className="sandbox-hint">
      <a href="/dev/sms" target="_blank" rel="noopener">
        {t('sms.sandboxHint')}
      </a>
    </p>
  );
}

/** The rules of a login password, ticked off while typing. */
export function PasswordRules(props: { password: string; phone?: string }) {
  const { t } = useTranslation();
  const checks = checkPassword(props.password, props.phone);
  return (
    <ul className="password-rules" aria-label={t('passwordRules.title')}>
      {checks.map((check) => (
        <li key={check.key} className={check.ok ? 'ok' : undefined}>
          <span aria-hidden="true">{check.ok ? '✓' : '·'}</span> {t(`passwordRules.${check.key}`)}
          {check.ok ? <span className="visually-hidden">{t('passwordRules.met')}</span> : null}
        </li>
      ))}
      {props.phone === undefined ? (
        <li>
          <span aria-hidden="true">·</span> {t('passwordRules.notPhone')}
        </li>
      ) : null}
      <li>
        <span aria-hidden="true">·</span> {t('passwordRules.notCommon')}
      </li>
    </ul>
  );
}

/** A Form.Item rule: a mainland mobile number. */
export function phoneRule(message: string) {
  return {
    validator: (_rule: unknown, value: string | undefined) =>
      isMainlandMobile(value ?? '') ? Promise.resolve() : Promise.reject(new Error(message)),
  };
}

/** The mainland mobile number field of the sign-up and sign-in forms. */
export function PhoneField() {
  const { t } = useTranslation();
  return (
    <Form.Item name="phone" label={t('fields.phone')} rules={[phoneRule(t('validation.phone'))]}>
      <Input
        type="tel"
        inputMode="numeric"
        autoComplete="tel"
        placeholder={t('fields.phonePlaceholder')}
        maxLength={14}
        clearable
      />
    </Form.Item>
  );
}

/** A 6-digit SMS code field with its send button (and, in sandbox mode, where to read codes). */
export function SmsCodeField(props: { name: string; sendButton: ReactNode }) {
  const { t } = useTranslation();
  return (
    <Form.Item
      name={props.name}
      label={t('fields.code')}
      extra={props.sendButton}
      description={<SandboxSmsHint />}
      rules={[{ pattern: /^\d{6}$/, required: true, message: t('validation.code') }]}
    >
      <Input
        inputMode="numeric"
        autoComplete="one-time-code"
        placeholder={t('fields.codePlaceholder')}
        maxLength={6}
      />
    </Form.Item>
  );
}
