import { useQuery } from '@tanstack/react-query';
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
