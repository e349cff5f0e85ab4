/**
 * 使用通行密钥登录: the sign-in card's other way in. A passkey stands instead of password and code
 * (the key plus the fingerprint, face or device PIN are two factors). With a username typed above,
 * that operator's passkeys are asked for; without, any this device holds.
 */
import { KeyOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Space, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client.ts';
import { passkeyProblem, passkeysSupported, signInWithPasskey } from './api.ts';

export function PasskeySignIn(props: {
  username: () => string | undefined;
  onSignedIn: () => Promise<void>;
}) {
  const { t } = useTranslation();
  // Known before the authenticator is asked: a browser without WebAuthn gets no button to fail.
  const supported = passkeysSupported();
  const signIn = useMutation({
    mutationFn: () => signInWithPasskey(props.username()?.trim() || undefined),
    onSuccess: props.onSignedIn,
  });
  return (
    <Space orientation="vertical" size="small" className="console-full">
      {signIn.isError ? (
        <Alert
          type="error"
          showIcon
          title={passkeyErrorMessage(signIn.error, t)}
          role="alert"
          data-testid="passkey-sign-in-error"
        />
      ) : null}
      <Button
        icon={<KeyOutlined aria-hidden />}
        block
        size="large"
        disabled={!supported}
        loading={signIn.isPending}
        onClick={() => signIn.mutate()}
      >
        {t('console.passkeys.signIn')}
      </Button>
      <Typography.Text type="secondary">
        {supported ? t('console.passkeys.signInHint') : t('console.passkeys.problem.unsupported')}
      </Typography.Text>
    </Space>
  );
}

/** The browser's refusals (cancelled, none on this device, unsupported) in words; API errors as usual. */
export function passkeyErrorMessage(error: unknown, t: TFunction): string {
  const problem = passkeyProblem(error);
  return problem ? t(`console.passkeys.problem.${problem}`) : errorMessage(error);
}
