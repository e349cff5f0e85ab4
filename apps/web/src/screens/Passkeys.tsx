import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Dialog, Input, List, Tag, Toast } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/client.ts';
import { deviceName } from '../api/device.ts';
import {
  addPasskey,
  fetchPasskeys,
  passkeyProblem,
  passkeysKey,
  passkeysSupported,
  removePasskey,
  renamePasskey,
  securityKey,
} from '../api/security.ts';
import type { Passkey } from '../api/security.ts';
import { FormError } from '../components/FormBits.tsx';
import { Page } from '../components/Page.tsx';
import { LoadFailed, Loading } from '../components/States.tsx';
import { KeyIcon } from '../components/icons.tsx';
import appI18n from '../i18n/index.ts';
import { formatDateTime } from '../lib/format.ts';

/** A failure of the browser's passkey step or of the API, in words. */
export function passkeyErrorMessage(error: unknown): string {
  const problem = passkeyProblem(error);
  return problem ? appI18n.t(`passkeys.problem.${problem}`) : errorMessage(error);
}

/** The holder's passkeys: add one on this device, rename, remove. */
export function Passkeys() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const passkeys = useQuery({ queryKey: passkeysKey, queryFn: fetchPasskeys });
  const [failure, setFailure] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<Passkey | null>(null);
  const supported = passkeysSupported();

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: passkeysKey }),
      queryClient.invalidateQueries({ queryKey: securityKey }),
    ]);

  const add = useMutation({
    mutationFn: () => addPasskey(deviceName()),
    onMutate: () => setFailure(null),
    onSuccess: async () => {
      Toast.show({ icon: 'success', content: t('passkeys.added') });
      await refresh();
    },
    onError: (error) => setFailure(passkeyErrorMessage(error)),
  });

  const remove = useMutation({
    mutationFn: (passkey: Passkey) => removePasskey(passkey.id),
    onSuccess: async () => {
      Toast.show({ content: t('passkeys.removed') });
      await refresh();
    },
    onError: (error) => Toast.show({ content: errorMessage(error) }),
  });

  const confirmRemove = async (passkey: Passkey) => {
    const confirmed = await Dialog.confirm({
      title: t('passkeys.removeTitle'),
      content: t('passkeys.removeConfirm', { name: passkey.name }),
      confirmText: t('passkeys.remove'),
      cancelText: t('common.cancel'),
    });
    if (confirmed) remove.mutate(passkey);
  };

  return (
    <Page title={t('passkeys.title')} backTo="/me/security">
      <p className="page-intro">{t('passkeys.intro')}</p>
      {!supported ? (
        <p className="notice" role="status">
          {t('passkeys.problem.unsupported')}
        </p>
      ) : null}
      {passkeys.isPending ? (
        <Loading />
      ) : passkeys.isError ? (
        <LoadFailed error={passkeys.error} onRetry={() => void passkeys.refetch()} />
      ) : passkeys.data.length === 0 ? (
        <p className="empty">{t('passkeys.empty')}</p>
      ) : (
        <List header={t('passkeys.listTitle')} className="passkey-list">
          {passkeys.data.map((passkey) => (
            <List.Item
              key={passkey.id}
              prefix={<KeyIcon />}
              description={
                <>
                  <span>
                    {t('passkeys.createdAt', { time: formatDateTime(passkey.createdAt, i18n.language) })}
                  </span>
                  <br />
                  <span>
                    {passkey.lastUsedAt
                      ? t('passkeys.lastUsed', { time: formatDateTime(passkey.lastUsedAt, i18n.language) })
                      : t('passkeys.neverUsed')}
                  </span>
                </>
              }
              extra={
                <span className="row-buttons">
                  <Button
                    size="small"
                    fill="outline"
                    className="row-button"
                    aria-label={t('passkeys.renameOf', { name: passkey.name })}
                    onClick={() => setRenaming(passkey)}
                  >
                    {t('passkeys.rename')}
                  </Button>
                  <Button
                    size="small"
                    fill="outline"
                    className="row-button danger"
                    loading={remove.isPending && remove.variables.id === passkey.id}
                    aria-label={t('passkeys.removeOf', { name: passkey.name })}
                    onClick={() => void confirmRemove(passkey)}
                  >
                    {t('passkeys.remove')}
                  </Button>
                </span>
              }
            >
              <span className="passkey-name">{passkey.name}</span>
              {passkey.suspendedAt ? (
                <Tag color="warning" fill="outline" className="passkey-suspended">
                  {t('passkeys.suspended')}
                </Tag>
              ) : null}
            </List.Item>
          ))}
        </List>
      )}
      {supported ? (
        <div className="page-actions">
          <FormError message={failure} />
          <Button
            block
            color="primary"
            size="large"
            shape="rounded"
            loading={add.isPending}
            onClick={() => add.mutate()}
          >
            {t('passkeys.add')}
          </Button>
        </div>
      ) : null}
      {renaming ? (
        <RenameDialog
          passkey={renaming}
          onClose={() => setRenaming(null)}
          onRenamed={() => {
            setRenaming(null);
            void refresh();
          }}
        />
      ) : null}
    </Page>
  );
}

function RenameDialog(props: { passkey: Passkey; onClose: () => void; onRenamed: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(props.passkey.name);
  const [failure, setFailure] = useState<string | null>(null);
  const rename = useMutation({
    mutationFn: () => renamePasskey(props.passkey.id, name.trim()),
    onSuccess: () => {
      Toast.show({ icon: 'success', content: t('passkeys.renamed') });
      props.onRenamed();
    },
    onError: (error) => setFailure(errorMessage(error)),
  });
  const save = () => {
    if (name.trim() === '') {
      setFailure(t('passkeys.nameRequired'));
      return;
    }
    rename.mutate();
  };
  return (
    <Dialog
      visible
      title={t('passkeys.renameTitle')}
      onClose={props.onClose}
      content={
        <div className="dialog-form">
          <label htmlFor="passkey-name" className="dialog-label">
            {t('passkeys.name')}
          </label>
          <Input
            id="passkey-name"
            className="dialog-input"
            value={name}
            onChange={setName}
            onEnterPress={save}
            maxLength={64}
            clearable
            autoFocus
          />
          <FormError message={failure} />
        </div>
      }
      actions={[
        [
          { key: 'cancel', text: t('common.cancel'), onClick: props.onClose },
          { key: 'save', text: t('passkeys.save'), bold: true, disabled: rename.isPending, onClick: save },
        ],
      ]}
    />
  );
}
