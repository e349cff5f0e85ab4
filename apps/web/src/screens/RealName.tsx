import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Form, Input, List, Tag, Toast } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/client.ts';
import {
  DOCUMENT_KINDS,
  fetchKyc,
  fetchTiers,
  kycKey,
  tiersKey,
  uploadDocuments,
  verifyRealName,
} from '../api/kyc.ts';
import type { DocumentKind, KycProfile, TierLimits } from '../api/kyc.ts';
import { meQueryKey } from '../auth/session.ts';
import { FormError } from '../components/FormBits.tsx';
import { Page } from '../components/Page.tsx';
import { LoadFailed, Loading } from '../components/States.tsx';
import { CameraIcon } from '../components/icons.tsx';
import { idNumberProblem } from '../lib/checks.ts';
import { formatDateTime } from '../lib/format.ts';
import { formatLimit, formatLimitShort } from '../lib/tiers.ts';

/** 实名认证: the tier and its limits, the real-name form (T1), ID documents for review (T3). */
export function RealName() {
  const { t } = useTranslation();
  const kyc = useQuery({ queryKey: kycKey, queryFn: fetchKyc });
  return (
    <Page title={t('kyc.title')} backTo="/me">
      {kyc.isPending ? (
        <Loading />
      ) : kyc.isError ? (
        <LoadFailed error={kyc.error} onRetry={() => void kyc.refetch()} />
      ) : (
        <>
          <TierHero profile={kyc.data} />
          {kyc.data.realName ? <VerifiedName profile={kyc.data} /> : <RealNameForm />}
          <CurrentLimits profile={kyc.data} />
          <Documents profile={kyc.data} />
          <LimitsTable current={kyc.data.tier} />
        </>
      )}
    </Page>
  );
}

function TierHero(props: { profile: KycProfile }) {
  const { t } = useTranslation();
  const { tier } = props.profile;
  return (
    <section className="tier-hero" aria-labelledby="tier-hero-title">
      <span className="tier-badge" aria-hidden="true">
        {tier}
      </span>
      <div>
        <h2 id="tier-hero-title" className="tier-hero-title" data-testid="kyc-tier">
          {t('kyc.tierLine', { tier, name: t(`kyc.tierName.${tier}`) })}
        </h2>
        <p className="tier-hero-body">{t(`kyc.tierNext.${tier}`)}</p>
      </div>
    </section>
  );
}

function CurrentLimits(props: { profile: KycProfile }) {
  const { t, i18n } = useTranslation();
  const { tier, limits } = props.profile;
  const unlimited = t('kyc.unlimited');
  const rows: [string, string | null][] = [
    [t('kyc.limit.singlePayment'), limits.singlePayment],
    [t('kyc.limit.daily'), limits.daily],
    [t('kyc.limit.yearly'), limits.yearly],
    [t('kyc.limit.balanceCap'), limits.balanceCap],
  ];
  return (
    <>
      <List header={t('kyc.currentLimits', { tier })} className="limits-list">
        {rows.map(([label, value]) => (
          <List.Item
            key={label}
            extra={<span className="amount">{formatLimit(value, i18n.language, unlimited)}</span>}
          >
            {label}
          </List.Item>
        ))}
        <List.Item extra={limits.mayWithdraw ? t('kyc.yes') : t('kyc.no')}>
          {t('kyc.limit.withdraw')}
        </List.Item>
      </List>
    </>
  );
}

function VerifiedName(props: { profile: KycProfile }) {
  const { t, i18n } = useTranslation();
  const realName = props.profile.realName!;
  return (
    <List header={t('kyc.verifiedTitle')} className="real-name-list">
      <List.Item extra={<span data-testid="masked-name">{realName.name}</span>}>
        {t('kyc.legalName')}
      </List.Item>
      <List.Item
        extra={
          <span className="amount" data-testid="masked-id">
            {realName.idNumber}
          </span>
        }
      >
        {t('kyc.idNumber')}
      </List.Item>
      <List.Item extra={formatDateTime(realName.verifiedAt, i18n.language)}>{t('kyc.verifiedAt')}</List.Item>
    </List>
  );
}

interface RealNameValues {
  legalName: string;
  idNumber: string;
}

function RealNameForm() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<RealNameValues>();
  const idNumber = Form.useWatch('idNumber', form) ?? '';
  const [failure, setFailure] = useState<string | null>(null);
  const verify = useMutation({
    mutationFn: (values: RealNameValues) =>
      verifyRealName({ legalName: values.legalName.trim(), idNumber: values.idNumber.trim().toUpperCase() }),
    onMutate: () => setFailure(null),
    onSuccess: (profile) => {
      queryClient.setQueryData(kycKey, profile);
      void queryClient.invalidateQueries({ queryKey: meQueryKey });
      Toast.show({ icon: 'success', content: t('kyc.verified', { tier: profile.tier }) });
    },
    onError: (error) => setFailure(errorMessage(error)),
  });
  // A hint once all 18 characters are in; the server checks again and has the last word.
  const problem = idNumber.trim().length >= 18 ? idNumberProblem(idNumber) : null;
  return (
    <Form
      form={form}
      name="realName"
      layout="horizontal"
      requiredMarkStyle="none"
      onFinish={(values: RealNameValues) => verify.mutate(values)}
      footer={
        <>
          <p className="form-note">{t('kyc.privacy')}</p>
          <FormError message={failure} />
          <Button block type="submit" color="primary" size="large" shape="rounded" loading={verify.isPending}>
            {t('kyc.submit')}
          </Button>
        </>
      }
    >
      <Form.Header>{t('kyc.formTitle')}</Form.Header>
      <Form.Item
        name="legalName"
        label={t('kyc.legalName')}
        rules={[{ required: true, whitespace: true, message: t('validation.legalName') }]}
      >
        <Input autoComplete="name" placeholder={t('kyc.legalNamePlaceholder')} maxLength={30} clearable />
      </Form.Item>
      <Form.Item
        name="idNumber"
        label={t('kyc.idNumber')}
        description={
          problem ? (
            <span className="field-hint warn" role="status">
              {t(`errors.INVALID_ID_NUMBER_${problem}`)}
            </span>
          ) : null
        }
        rules={[{ required: true, pattern: /^\s*\d{17}[\dXx]\s*$/, message: t('validation.idNumber') }]}
      >
        <Input autoComplete="off" placeholder={t('kyc.idNumberPlaceholder')} maxLength={18} clearable />
      </Form.Item>
    </Form>
  );
}

const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;

/** T3: ID front, back and a selfie, for an operator's review; the review's state when there is one. */
function Documents(props: { profile: KycProfile }) {
  const { t, i18n } = useTranslation();
  const { tier, review, realName } = props.profile;
  const [replacing, setReplacing] = useState(false);
  if (tier === 'T3') return null;
  if (!realName) {
    return (
      <List header={t('kyc.documentsTitle')}>
        <List.Item description={t('kyc.documentsAfterRealName')}>{t('kyc.documentsT3')}</List.Item>
      </List>
    );
  }
  const status = review?.status;
  const showForm = !review || (status === 'rejected' && replacing);
  return (
    <section aria-labelledby="documents-title">
      <List header={<span id="documents-title">{t('kyc.documentsTitle')}</span>}>
        {review ? (
          <List.Item
            description={
              <>
                {t('kyc.reviewSubmitted', { time: formatDateTime(review.submittedAt, i18n.language) })}
                {status === 'rejected' && review.reason ? (
                  <span className="review-reason">{t('kyc.reviewReason', { reason: review.reason })}</span>
                ) : null}
              </>
            }
            extra={
              <Tag
                color={status === 'approved' ? 'success' : status === 'rejected' ? 'danger' : 'warning'}
                fill="outline"
                data-testid="review-status"
              >
                {t(`kyc.review.${status === 'approved' || status === 'rejected' ? status : 'pending'}`)}
              </Tag>
            }
          >
            {t('kyc.documentsT3')}
          </List.Item>
        ) : (
          <List.Item description={t('kyc.documentsIntro')}>{t('kyc.documentsT3')}</List.Item>
        )}
      </List>
      {status === 'rejected' && !replacing ? (
        <div className="page-actions">
          <Button block fill="outline" shape="rounded" onClick={() => setReplacing(true)}>
            {t('kyc.resubmit')}
          </Button>
        </div>
      ) : null}
      {showForm ? <DocumentsForm onDone={() => setReplacing(false)} /> : null}
    </section>
  );
}

function DocumentsForm(props: { onDone: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [files, setFiles] = useState<Partial<Record<DocumentKind, File>>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const upload = useMutation({
    mutationFn: () => uploadDocuments(files as Record<DocumentKind, File>),
    onMutate: () => setFailure(null),
    onSuccess: (profile) => {
      queryClient.setQueryData(kycKey, profile);
      Toast.show({ icon: 'success', content: t('kyc.documentsSent') });
      props.onDone();
    },
    onError: (error) => setFailure(errorMessage(error)),
  });
  const choose = (kind: DocumentKind, file: File | undefined) => {
    setFailure(null);
    if (!file) return;
    if (!['image/jpeg', 'image/png'].includes(file.type)) {
      setFailure(t('errors.DOCUMENT_INVALID_notJpegOrPng'));
      return;
    }
    if (file.size > MAX_DOCUMENT_BYTES) {
      setFailure(t('errors.DOCUMENT_INVALID_tooLarge'));
      return;
    }
    setFiles((current) => ({ ...current, [kind]: file }));
  };
  const complete = DOCUMENT_KINDS.every((kind) => files[kind]);
  const submit = () => {
    if (!complete) {
      setFailure(t('kyc.documentsMissing'));
      return;
    }
    upload.mutate();
  };
  return (
    <div className="documents-form">
      <div className="document-tiles">
        {DOCUMENT_KINDS.map((kind) => (
          <DocumentTile key={kind} kind={kind} file={files[kind]} onChoose={(file) => choose(kind, file)} />
        ))}
      </div>
      <p className="form-note">{t('kyc.documentsRules')}</p>
      <FormError message={failure} />
      <Button block color="primary" size="large" shape="rounded" loading={upload.isPending} onClick={submit}>
        {t('kyc.documentsSubmit')}
      </Button>
    </div>
  );
}

/**
 * A data: URL of the chosen photo (the app's Content-Security-Policy allows `data:` images,
 * not `blob:`).
 */
function usePreview(file: File | undefined): string | null {
  const [preview, setPreview] = useState<string | null>(null);
  useEffect(() => {
    setPreview(null);
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => setPreview(typeof reader.result === 'string' ? reader.result : null);
    reader.readAsDataURL(file);
    return () => reader.abort();
  }, [file]);
  return preview;
}

function DocumentTile(props: {
  kind: DocumentKind;
  file: File | undefined;
  onChoose: (file: File | undefined) => void;
}) {
  const { t } = useTranslation();
  const preview = usePreview(props.file);
  const id = `document-${props.kind}`;
  return (
    <label className={`document-tile${props.file ? ' chosen' : ''}`} htmlFor={id}>
      {preview ? (
        <img src={preview} alt="" className="document-preview" />
      ) : (
        <span className="document-icon" aria-hidden="true">
          <CameraIcon />
        </span>
      )}
      <span className="document-label">{t(`kyc.document.${props.kind}`)}</span>
      <span className="document-state">{props.file ? t('kyc.documentChosen') : t('kyc.documentChoose')}</span>
      <input
        id={id}
        type="file"
        name={props.kind}
        accept="image/jpeg,image/png"
        {...(props.kind === 'selfie' ? { capture: 'user' as const } : {})}
        className="visually-hidden"
        onChange={(event) => props.onChoose(event.target.files?.[0])}
      />
    </label>
  );
}

function LimitsTable(props: { current: string }) {
  const { t, i18n } = useTranslation();
  const tiers = useQuery({ queryKey: tiersKey, queryFn: fetchTiers, staleTime: 5 * 60_000 });
  if (!tiers.data) return null;
  const unlimited = t('kyc.unlimited');
  const cell = (tier: TierLimits, key: 'singlePayment' | 'daily' | 'yearly' | 'balanceCap') =>
    formatLimitShort(tier[key], i18n.language, unlimited);
  return (
    <section className="limits-table-card" aria-labelledby="limits-table-title">
      <h2 id="limits-table-title" className="section-title">
        {t('kyc.allTiers')}
      </h2>
      <table className="limits-table">
        <thead>
          <tr>
            <th scope="col">{t('kyc.tier')}</th>
            <th scope="col">{t('kyc.limitShort.singlePayment')}</th>
            <th scope="col">{t('kyc.limitShort.daily')}</th>
            <th scope="col">{t('kyc.limitShort.yearly')}</th>
            <th scope="col">{t('kyc.limitShort.balanceCap')}</th>
          </tr>
        </thead>
        <tbody>
          {tiers.data.map((tier) => (
            <tr key={tier.tier} className={tier.tier === props.current ? 'current' : undefined}>
              <th scope="row">
                {tier.tier}
                {tier.tier === props.current ? (
                  <span className="visually-hidden">{t('kyc.currentTier')}</span>
                ) : null}
              </th>
              <td>{cell(tier, 'singlePayment')}</td>
              <td>{cell(tier, 'daily')}</td>
              <td>{cell(tier, 'yearly')}</td>
              <td>{cell(tier, 'balanceCap')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="form-note">{t('kyc.tiersNote')}</p>
    </section>
  );
}
