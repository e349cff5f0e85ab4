/** Small pieces the risk pages share: decision and status tags, a rule's description, a failed load. */
import { Alert, Button, Result, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client.ts';
import type { CaseStatus, Decision, Description } from './api.ts';

const DECISION_COLOURS: Record<Decision, string> = {
  allow: 'success',
  step_up: 'gold',
  review: 'orange',
  block: 'error',
};

export function DecisionTag(props: { decision: Decision }) {
  const { t } = useTranslation();
  return (
    <Tag color={DECISION_COLOURS[props.decision]} data-decision={props.decision}>
      {t(`console.riskCases.decision.${props.decision}`)}
    </Tag>
  );
}

const STATUS_COLOURS: Record<CaseStatus, string> = {
  open: 'processing',
  approved: 'success',
  rejected: 'error',
  expired: 'default',
  cancelled: 'default',
};

export function CaseStatusTag(props: { status: CaseStatus }) {
  const { t } = useTranslation();
  return <Tag color={STATUS_COLOURS[props.status]}>{t(`console.riskCases.status.${props.status}`)}</Tag>;
}

/** A rule's description in the reading language. */
export function useDescription(): (description: Description | null | undefined) => string {
  const { i18n } = useTranslation();
  return (description) => (description ? (i18n.language === 'en' ? description.en : description.zh) : '—');
}

export function RuleTags(props: { ids: string[] }) {
  if (props.ids.length === 0) return <span>—</span>;
  return (
    <>
      {props.ids.map((id) => (
        <Tag key={id} className="risk-mono">
          {id}
        </Tag>
      ))}
    </>
  );
}

export function LoadFailed(props: { error: unknown; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <Result
      status="warning"
      title={t('console.riskCases.loadFailed')}
      subTitle={errorMessage(props.error)}
      extra={
        <Button type="primary" onClick={props.onRetry}>
          {t('console.riskCases.retry')}
        </Button>
      }
    />
  );
}

/** A refusal in words, where a form shows it. */
export function ErrorAlert(props: { error: unknown }) {
  if (!props.error) return null;
  return (
    <Alert className="risk-alert" type="error" showIcon title={errorMessage(props.error)} role="alert" />
  );
}

/** The start of an id, enough to tell rows apart on screen (the whole id is in its title). */
export function shortId(id: string): string {
  return id.slice(0, 8);
}
