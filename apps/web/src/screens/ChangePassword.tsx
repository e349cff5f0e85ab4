import { useQueryClient } from '@tanstack/react-query';
import { Button, Form, Toast } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/client.ts';
import { changePassword } from '../api/identity.ts';
import { FormError, PasswordRules } from '../components/FormBits.tsx';
import { Page, useGoBack } from '../components/Page.tsx';
import { PasswordInput } from '../components/PasswordInput.tsx';
import { checkPassword } from '../lib/format.ts';
import { sessionsKey } from './Security.tsx';

interface ChangePasswordForm {
  oldPassword: string;
  newPassword: string;
  confirmPassword: string;
}

export function ChangePassword() {
  const { t } = useTranslation();
  const leave = useGoBack('/me/security', { replace: true });
  const queryClient = useQueryClient();
  const [form] = Form.useForm<ChangePasswordForm>();
  const newPassword = Form.useWatch('newPassword', form) ?? '';
  const [submitting, setSubmitting] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const submit = async (values: ChangePasswordForm) => {
    setSubmitting(true);
    setFailure(null);
    try {
      await changePassword({ oldPassword: values.oldPassword, newPassword: values.newPassword });
      Toast.show({ icon: 'success', content: t('changePassword.done') });
      // The server has ended every other session.
      void queryClient.invalidateQueries({ queryKey: sessionsKey });
      leave();
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Page title={t('changePassword.title')} backTo="/me/security">
      <Form
        form={form}
        name="changePassword"
        layout="horizontal"
        requiredMarkStyle="none"
        onFinish={(values: ChangePasswordForm) => void submit(values)}
        footer={
          <>
            <FormError message={failure} />
            <Button block type="submit" color="primary" size="large" shape="rounded" loading={submitting}>
              {t('changePassword.submit')}
            </Button>
          </>
        }
      >
        <Form.Item
          name="oldPassword"
          label={t('fields.currentPassword')}
          rules={[{ required: true, message: t('validation.passwordRequired') }]}
        >
          <PasswordInput
            autoComplete="current-password"
            placeholder={t('fields.currentPasswordPlaceholder')}
          />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label={t('fields.changedPassword')}
          description={<PasswordRules password={newPassword} />}
          rules={[
            {
              validator: (_rule, value: string | undefined) =>
                checkPassword(value ?? '').every((check) => check.ok)
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('validation.password'))),
            },
          ]}
        >
          <PasswordInput autoComplete="new-password" placeholder={t('fields.newPasswordPlaceholder')} />
        </Form.Item>
        <Form.Item
          name="confirmPassword"
          label={t('fields.confirmPassword')}
          dependencies={['newPassword']}
          rules={[
            {
              validator: (_rule, value: string | undefined) =>
                value !== undefined && value === form.getFieldValue('newPassword')
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('validation.passwordsDiffer'))),
            },
          ]}
        >
          <PasswordInput autoComplete="new-password" placeholder={t('fields.confirmPasswordPlaceholder')} />
        </Form.Item>
      </Form>
    </Page>
  );
}
