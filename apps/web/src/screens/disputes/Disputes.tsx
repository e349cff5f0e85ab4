/**
 * 申诉 (docs/disputes.md): from a movement's detail page (`DisputeEntry`), the form
 * (`/disputes/new?transaction=<historyId>`: reason, what happened, evidence), one dispute with its
 * status and timeline (`/disputes/:id`), and my disputes (`/disputes`).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Dialog, Selector, Steps, TextArea, Toast } from 'antd-mobile';
import { useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { fetchTransaction, transactionLabel, transactionsKey } from '../../api/money.ts';
import { FilePicker } from '../../components/FilePicker.tsx';
import { Page } from '../../components/Page.tsx';
import { LoadFailed, Loading } from '../../components/States.tsx';
import { formatDateTime, formatMoney } from '../../lib/format.ts';
import {
  EVIDENCE_ACCEPT,
  MAX_EVIDENCE,
  MAX_EVIDENCE_BYTES,
  MAX_TEXT_CHARS,
  REASONS,
  disputeKeys,
  evidenceUrl,
  fetchDispute,
  fetchDisputes,
  fetchEligibility,
  isOpen,
  openDispute,
  uploadEvidence,
  withdrawDispute,
} from './api.ts';
import type { Dispute, DisputeStatus, Evidence, Reason, TimelineEntry } from './api.ts';
import './disputes.css';

/** While a dispute is open its status may change any moment (an operator decides): read it again. */
const REFRESH_MS = 10_000;

// ---- the entry on a movement's detail page -----------------------------------------------------

/** 申诉 on a movement the holder may dispute, or the way to its open dispute. */
export function DisputeEntry(props: { transactionId: string }) {
  const { t } = useTranslation();
  const eligibility = useQuery({
    queryKey: disputeKeys.eligibility(props.transactionId),
    queryFn: () => fetchEligibility(props.transactionId),
    retry: false,
  });
  const data = eligibility.data;
  if (!data) return null;
  if (data.openDisputeId) {
    return (
      <Link
        to={`/disputes/${data.openDisputeId}`}
        className="text-button money-link-button"
        data-testid="dispute-open"
      >
        {t('disputes.entry.open')}
      </Link>
    );
  }
  if (!data.disputable) {
    // Closed (refunded, rejected, withdrawn and no longer disputable): its outcome.
    return data.latestDisputeId ? (
      <Link
        to={`/disputes/${data.latestDisputeId}`}
        className="text-button money-link-button"
        data-testid="dispute-latest"
      >
        {t('disputes.entry.latest')}
      </Link>
    ) : null;
  }
  return (
    <Link
      to={`/disputes/new?transaction=${encodeURIComponent(props.transactionId)}`}
      className="text-button money-link-button"
      data-testid="dispute-entry"
    >
      {t('disputes.entry.dispute')}
    </Link>
  );
}

// ---- the form ------------------------------------------------------------------------------------

export function DisputeNew() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const transactionId = params.get('transaction') ?? '';
  const [reason, setReason] = useState<Reason | null>(null);
  const [text, setText] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  // One key per form: a retry after a lost answer answers the dispute it opened.
  const idempotencyKey = useRef(crypto.randomUUID());
  const transaction = useQuery({
    queryKey: [...transactionsKey, 'detail', transactionId],
    queryFn: () => fetchTransaction(transactionId),
    enabled: transactionId !== '',
  });
  const submit = useMutation({
    mutationFn: async () => {
      const dispute = await openDispute(
        { transactionId, reason: reason!, text: text.trim() },
        idempotencyKey.current,
      );
      let failed = 0;
      for (const file of files) {
        try {
          await uploadEvidence(dispute.id, file);
        } catch {
          failed += 1;
        }
      }
      return { dispute, failed };
    },
    onSuccess: ({ dispute, failed }) => {
      void queryClient.invalidateQueries({ queryKey: disputeKeys.all });
      if (failed > 0) Toast.show({ content: t('disputes.form.someUploadsFailed', { count: failed }) });
      void navigate(`/disputes/${dispute.id}`, { replace: true });
    },
  });
  const title = t('disputes.form.title');
  if (!transaction.data) {
    return (
      <Page title={title} backTo={`/history/${transactionId}`}>
        {transaction.isError ? (
          <LoadFailed error={transaction.error} onRetry={() => void transaction.refetch()} />
        ) : (
          <Loading />
        )}
      </Page>
    );
  }
  const item = transaction.data;
  return (
    <Page title={title} backTo={`/history/${transactionId}`}>
      <form
        className="dp-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (reason && text.trim()) submit.mutate();
        }}
      >
        <section className="money-card dp-movement" aria-label={t('disputes.form.movement')}>
          <p className="dp-movement-label">
            {transactionLabel(item, i18n.language)}
            {item.counterparty ? ` · ${item.counterparty.displayName}` : ''}
          </p>
          <p className="dp-movement-amount amount">{formatMoney(item.amount, i18n.language)}</p>
          <p className="dp-movement-time">{formatDateTime(item.createdAt, i18n.language)}</p>
        </section>
        <fieldset className="dp-field">
          <legend className="dp-label">{t('disputes.form.reason')}</legend>
          <Selector
            columns={2}
            options={REASONS.map((value) => ({ label: t(`disputes.reason.${value}`), value }))}
            value={reason ? [reason] : []}
            onChange={(values) => setReason(values[0] ?? null)}
            data-testid="dispute-reasons"
          />
        </fieldset>
        <label className="dp-field">
          <span className="dp-label">{t('disputes.form.text')}</span>
          <TextArea
            value={text}
            onChange={setText}
            placeholder={t('disputes.form.textPlaceholder')}
            maxLength={MAX_TEXT_CHARS}
            showCount
            rows={4}
            data-testid="dispute-text"
          />
        </label>
        <EvidencePicker files={files} onChange={setFiles} />
        <p className="dp-hint">{t('disputes.form.hint')}</p>
        {submit.isError ? (
          <p className="form-error" role="alert">
            {errorMessage(submit.error)}
          </p>
        ) : null}
        <Button
          block
          type="submit"
          color="primary"
          shape="rounded"
          size="large"
          loading={submit.isPending}
          disabled={!reason || !text.trim()}
          data-testid="dispute-submit"
        >
          {t('disputes.form.submit')}
        </Button>
      </form>
    </Page>
  );
}

/** Up to five JPEG, PNG or PDF files, kept here and uploaded once the dispute exists. */
function EvidencePicker(props: { files: File[]; onChange: (files: File[]) => void }) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const pick = (list: FileList | null) => {
    if (!list) return;
    const room = MAX_EVIDENCE - props.files.length;
    const fitting = [...list].filter((file) => {
      if (file.size <= MAX_EVIDENCE_BYTES) return true;
      Toast.show({ content: t('disputes.evidence.tooLarge', { name: file.name }) });
      return false;
    });
    props.onChange([...props.files, ...fitting.slice(0, room)]);
    if (input.current) input.current.value = '';
  };
  return (
    <div className="dp-field">
      <span className="dp-label">
        {t('disputes.evidence.label', { max: MAX_EVIDENCE })}
        <span className="dp-sub">{t('disputes.evidence.hint')}</span>
      </span>
      <FilePicker
        prefix="dp"
        testId="dispute"
        files={props.files.map((file, index) => ({ key: `${file.name}-${index}`, name: file.name }))}
        onRemove={(index) => props.onChange(props.files.filter((_, other) => other !== index))}
        removeLabel={(name) => t('disputes.evidence.remove', { name })}
        canAdd={props.files.length < MAX_EVIDENCE}
        addLabel={t('disputes.evidence.add')}
        accept={EVIDENCE_ACCEPT}
        inputRef={input}
        onPick={pick}
      />
    </div>
  );
}

// ---- one dispute ---------------------------------------------------------------------------------

export function DisputePage() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const queryClient = useQueryClient();
  const detail = useQuery({
    queryKey: disputeKeys.one(id),
    queryFn: () => fetchDispute(id),
    refetchInterval: (query) =>
      query.state.data && isOpen(query.state.data.dispute.status) ? REFRESH_MS : false,
    retry: false,
  });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: disputeKeys.all });
    void queryClient.invalidateQueries({ queryKey: transactionsKey });
  };
  const withdraw = useMutation({ mutationFn: () => withdrawDispute(id), onSuccess: refresh });
  const upload = useMutation({
    mutationFn: (file: File) => uploadEvidence(id, file),
    onSuccess: refresh,
    onError: (error) => Toast.show({ content: errorMessage(error) }),
  });
  const title = t('disputes.page.title');
  if (!detail.data) {
    return (
      <Page title={title} backTo="/disputes">
        {detail.isError ? (
          <LoadFailed error={detail.error} onRetry={() => void detail.refetch()} />
        ) : (
          <Loading />
        )}
      </Page>
    );
  }
  const { dispute, timeline, evidence } = detail.data;
  const open = isOpen(dispute.status);
  return (
    <Page title={title} backTo="/disputes">
      <section className="detail-head">
        <p className="detail-head-label">{t(`disputes.kind.${dispute.kind}`)}</p>
        <p className="detail-head-amount amount">{formatMoney(dispute.amount, i18n.language)}</p>
        <span className={`status-tag dp-status ${dispute.status}`} data-testid="dispute-status">
          {t(`disputes.status.${dispute.status}`)}
        </span>
      </section>
      <Outcome dispute={dispute} />
      <div className="money-card">
        <dl className="dp-rows">
          <Row label={t('disputes.page.reason')} value={t(`disputes.reason.${dispute.reason}`)} />
          <Row label={t('disputes.page.text')} value={dispute.text} />
          {dispute.counterparty ? (
            <Row label={t('disputes.page.counterparty')} value={dispute.counterparty} />
          ) : null}
          {dispute.merchantOrderId ? (
            <Row
              label={t('disputes.page.order')}
              value={<code className="mono">{dispute.merchantOrderId}</code>}
            />
          ) : null}
          <Row
            label={t('disputes.page.movement')}
            value={
              <Link to={`/history/${dispute.transactionId}`}>
                {formatMoney(dispute.transactionAmount, i18n.language)} ·{' '}
                {formatDateTime(dispute.transactionAt, i18n.language)}
              </Link>
            }
          />
          <Row label={t('disputes.page.opened')} value={formatDateTime(dispute.createdAt, i18n.language)} />
        </dl>
      </div>
      <section className="money-card" aria-labelledby="dispute-evidence">
        <h2 id="dispute-evidence" className="money-card-title">
          {t('disputes.evidence.title', { count: evidence.length })}
        </h2>
        <EvidenceList disputeId={dispute.id} evidence={evidence} />
        {open && dispute.status !== 'refunding' && evidence.length < MAX_EVIDENCE ? (
          <label className={`dp-attach-button${upload.isPending ? ' busy' : ''}`}>
            {upload.isPending ? t('disputes.evidence.uploading') : t('disputes.evidence.add')}
            <input
              type="file"
              accept={EVIDENCE_ACCEPT}
              className="dp-file-input"
              disabled={upload.isPending}
              onChange={(event) => {
                const file = event.target.files?.[0];
                if (file) upload.mutate(file);
                event.target.value = '';
              }}
            />
          </label>
        ) : null}
      </section>
      <section className="money-card" aria-labelledby="dispute-timeline">
        <h2 id="dispute-timeline" className="money-card-title">
          {t('disputes.page.timeline')}
        </h2>
        <Steps
          direction="vertical"
          current={timeline.length}
          className="money-timeline"
          data-testid="dispute-timeline"
        >
          {timeline.map((entry, index) => (
            <Steps.Step
              key={`${entry.at}-${index}`}
              status={stepStatus(entry.toStatus)}
              title={timelineTitle(t, entry)}
              description={
                <>
                  {formatDateTime(entry.at, i18n.language)}
                  {entry.note && entry.actor !== 'system' ? (
                    <span className="dp-note">{entry.note}</span>
                  ) : null}
                </>
              }
            />
          ))}
        </Steps>
      </section>
      {open && dispute.status !== 'refunding' ? (
        <div className="money-buttons">
          <Button
            block
            shape="rounded"
            size="large"
            loading={withdraw.isPending}
            onClick={() =>
              void Dialog.confirm({
                content: t('disputes.page.withdrawConfirm'),
                confirmText: t('disputes.page.withdraw'),
                cancelText: t('common.cancel'),
                onConfirm: () => withdraw.mutateAsync().then(() => undefined),
              })
            }
          >
            {t('disputes.page.withdraw')}
          </Button>
          {withdraw.isError ? (
            <p className="form-error" role="alert">
              {errorMessage(withdraw.error)}
            </p>
          ) : null}
        </div>
      ) : null}
    </Page>
  );
}

/** What became of it, in a sentence: refunded (and where to see it), rejected and why. */
function Outcome(props: { dispute: Dispute }) {
  const { t, i18n } = useTranslation();
  const { dispute } = props;
  if (dispute.status === 'resolved_refunded' && dispute.refund) {
    return (
      <p className="notice success dp-outcome" data-testid="dispute-outcome">
        {t(`disputes.outcome.refunded_${dispute.refund.method}`, {
          amount: formatMoney(dispute.refund.amount, i18n.language),
        })}{' '}
        <Link to="/history">{t('disputes.outcome.seeHistory')}</Link>
      </p>
    );
  }
  if (dispute.status === 'resolved_rejected') {
    return (
      <p className="notice dp-outcome" data-testid="dispute-outcome">
        {t('disputes.outcome.rejected', { reason: dispute.decisionReason ?? '' })}
      </p>
    );
  }
  if (dispute.status === 'refunding') {
    return <p className="notice dp-outcome">{t('disputes.outcome.refunding')}</p>;
  }
  return null;
}

function EvidenceList(props: { disputeId: string; evidence: Evidence[] }) {
  const { t } = useTranslation();
  if (props.evidence.length === 0) return <p className="dp-sub">{t('disputes.evidence.none')}</p>;
  return (
    <ul className="dp-evidence" data-testid="dispute-evidence">
      {props.evidence.map((file) => (
        <li key={file.id}>
          <a href={evidenceUrl(props.disputeId, file.id)} target="_blank" rel="noreferrer">
            {file.contentType.startsWith('image/') ? (
              <img src={evidenceUrl(props.disputeId, file.id)} alt={file.fileName} className="dp-thumb" />
            ) : (
              <span className="dp-pdf">PDF</span>
            )}
            <span className="dp-file-name">{file.fileName}</span>
          </a>
        </li>
      ))}
    </ul>
  );
}

function Row(props: { label: string; value: ReactNode }) {
  return (
    <div className="dp-row">
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}

function stepStatus(status: DisputeStatus): 'finish' | 'process' | 'error' | 'wait' {
  if (status === 'resolved_refunded') return 'finish';
  if (status === 'resolved_rejected' || status === 'withdrawn') return 'error';
  return 'process';
}

function timelineTitle(t: (key: string) => string, entry: TimelineEntry): string {
  const step = entry.step.startsWith('refund:') ? 'refund' : entry.step;
  const key = `disputes.step.${step}`;
  const title = t(key);
  return title === key ? t(`disputes.status.${entry.toStatus}`) : title;
}

// ---- my disputes ---------------------------------------------------------------------------------

export function DisputesMine() {
  const { t, i18n } = useTranslation();
  const disputes = useQuery({ queryKey: disputeKeys.list, queryFn: fetchDisputes });
  return (
    <Page title={t('disputes.mine.title')} backTo="/me">
      {disputes.isError ? (
        <LoadFailed error={disputes.error} onRetry={() => void disputes.refetch()} />
      ) : !disputes.data ? (
        <Loading />
      ) : disputes.data.length === 0 ? (
        <p className="dp-empty">{t('disputes.mine.empty')}</p>
      ) : (
        <ul className="dp-list">
          {disputes.data.map((dispute) => (
            <li key={dispute.id}>
              <Link to={`/disputes/${dispute.id}`} className="dp-list-item">
                <span className="dp-list-main">
                  <span className="dp-list-title">
                    {t(`disputes.kind.${dispute.kind}`)}
                    {dispute.counterparty ? ` · ${dispute.counterparty}` : ''}
                  </span>
                  <span className="dp-sub">
                    {t(`disputes.reason.${dispute.reason}`)} ·{' '}
                    {formatDateTime(dispute.createdAt, i18n.language)}
                  </span>
                </span>
                <span className="dp-list-side">
                  <span className="amount">{formatMoney(dispute.amount, i18n.language)}</span>
                  <span className={`status-tag dp-status ${dispute.status}`}>
                    {t(`disputes.status.${dispute.status}`)}
                  </span>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}
