import { Button, DotLoading, ErrorBlock } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/client.ts';

export function Loading() {
  const { t } = useTranslation();
  return (
    <div className="state-loading" role="status">
      <DotLoading color="primary" />
      <span className="visually-hidden">{t('common.loading')}</span>
    </div>
  );
}

export function LoadFailed(props: { error: unknown; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <ErrorBlock status="default" title={t('common.loadFailed')} description={errorMessage(props.error)}>
      <Button color="primary" fill="outline" onClick={props.onRetry}>
        {t('common.retry')}
      </Button>
    </ErrorBlock>
  );
}
