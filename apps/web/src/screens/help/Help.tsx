/**
 * 帮助与客服 (docs/help.md): search the FAQ (Chinese or English, as the app's language), browse it
 * by category, read an article; 联系客服 (the support screens) and 意见反馈 (a rating and a few
 * words about the app). The centre and its articles are open to signed-out visitors too;
 * feedback needs a wallet.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { Button, CapsuleTabs, Form, List, SearchBar, TextArea, Toast } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { hasSignedIn } from '../../auth/session.ts';
import { LinkRow } from '../../components/ListRows.tsx';
import { Page, useGoBack } from '../../components/Page.tsx';
import { LoadFailed, Loading } from '../../components/States.tsx';
import { currentLanguage } from '../../i18n/index.ts';
import { formatDateTime } from '../../lib/format.ts';
import { ArticleBody } from './ArticleBody.tsx';
import { HELP_CATEGORIES, fetchArticle, helpKeys, searchArticles, sendFeedback } from './api.ts';
import type { ArticleSummary, HelpCategory } from './api.ts';
import './help.css';

const SEARCH_DELAY_MS = 300;

/** The typed text, once typing has paused. */
function useSettled(value: string): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [value]);
  return settled;
}

export function HelpCentre() {
  const { t } = useTranslation();
  const lang = currentLanguage();
  const [params, setParams] = useSearchParams();
  // The query lives in the address, so coming back from an article shows the same results.
  const [typed, setTyped] = useState(params.get('q') ?? '');
  const q = useSettled(typed.trim());
  const [category, setCategory] = useState<HelpCategory | 'all'>('all');
  useEffect(() => {
    setParams(q ? { q } : {}, { replace: true });
  }, [q, setParams]);
  const articles = useQuery({
    queryKey: helpKeys.search(q, lang),
    queryFn: () => searchArticles(q, lang),
    placeholderData: (previous) => previous,
  });
  const shown = (articles.data ?? []).filter((a) => q || category === 'all' || a.category === category);

  return (
    <Page title={t('help.title')} backTo="/me">
      <div className="help-search" role="search">
        <SearchBar
          placeholder={t('help.searchPlaceholder')}
          value={typed}
          onChange={setTyped}
          onClear={() => setTyped('')}
          aria-label={t('help.search')}
        />
      </div>
      {q ? null : (
        <nav aria-label={t('help.categories')}>
          <CapsuleTabs activeKey={category} onChange={(key) => setCategory(key as HelpCategory | 'all')}>
            <CapsuleTabs.Tab title={t('help.all')} key="all" />
            {HELP_CATEGORIES.map((value) => (
              <CapsuleTabs.Tab title={t(`help.category.${value}`)} key={value} />
            ))}
          </CapsuleTabs>
        </nav>
      )}
      {articles.isPending ? (
        <Loading />
      ) : articles.isError ? (
        <LoadFailed error={articles.error} onRetry={() => void articles.refetch()} />
      ) : shown.length === 0 ? (
        <div className="help-empty">
          <p>{q ? t('help.noResults', { q }) : t('help.noArticles')}</p>
          <p className="help-muted">{t('help.noResultsHint')}</p>
        </div>
      ) : (
        <section aria-label={q ? t('help.results') : t('help.questions')} aria-live="polite">
          {q ? (
            <ArticleList
              header={t('help.resultsCount', { count: shown.length })}
              articles={shown}
              showExcerpt
            />
          ) : (
            HELP_CATEGORIES.filter((c) => category === 'all' || c === category).map((c) => {
              const inCategory = shown.filter((a) => a.category === c);
              return inCategory.length === 0 ? null : (
                <ArticleList key={c} header={t(`help.category.${c}`)} articles={inCategory} />
              );
            })
          )}
        </section>
      )}
      <ContactBlock />
    </Page>
  );
}

function ArticleList(props: { header: string; articles: ArticleSummary[]; showExcerpt?: boolean }) {
  return (
    <List header={props.header} className="help-list">
      {props.articles.map((article) => (
        <LinkRow
          key={article.id}
          to={`/help/${article.id}`}
          description={props.showExcerpt ? article.excerpt : undefined}
        >
          {article.title}
        </LinkRow>
      ))}
    </List>
  );
}

/** 联系客服 and 意见反馈, under every help screen. */
function ContactBlock(props: { from?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const feedbackTo = props.from ? `/help/feedback?from=${encodeURIComponent(props.from)}` : '/help/feedback';
  return (
    <div className="help-contact">
      <p className="help-muted">{t('help.stillStuck')}</p>
      <Button block color="primary" shape="rounded" size="large" onClick={() => void navigate('/support')}>
        {t('help.contact')}
      </Button>
      <List className="help-list">
        <LinkRow to={feedbackTo} description={t('help.feedbackHint')}>
          {t('help.feedback')}
        </LinkRow>
      </List>
    </div>
  );
}

export function HelpArticle() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const lang = currentLanguage();
  const article = useQuery({ queryKey: helpKeys.article(id, lang), queryFn: () => fetchArticle(id, lang) });
  return (
    <Page title={article.data ? t(`help.category.${article.data.category}`) : t('help.title')} backTo="/help">
      {article.isPending ? (
        <Loading />
      ) : article.isError ? (
        <LoadFailed error={article.error} onRetry={() => void article.refetch()} />
      ) : (
        <article className="help-article" lang={article.data.lang}>
          <h2 className="help-article-title">{article.data.title}</h2>
          <ArticleBody body={article.data.body} />
          <p className="help-muted">
            {t('help.updated', { at: formatDateTime(article.data.updatedAt, i18n.language) })}
          </p>
          <p>
            <Link to="/help">{t('help.more')}</Link>
          </p>
        </article>
      )}
      <ContactBlock from={`/help/${id}`} />
    </Page>
  );
}

interface FeedbackValues {
  rating: number;
  text?: string;
}

export function HelpFeedback() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const from = params.get('from')?.slice(0, 100) || undefined;
  const done = useGoBack('/help', { replace: true });
  const send = useMutation({
    mutationFn: (values: FeedbackValues) =>
      sendFeedback({
        rating: values.rating,
        text: values.text?.trim() ?? '',
        ...(from ? { screen: from } : {}),
      }),
    onSuccess: () => {
      Toast.show({ icon: 'success', content: t('help.feedbackSent') });
      done();
    },
  });
  const navigate = useNavigate();
  const here = `/help/feedback${from ? `?from=${encodeURIComponent(from)}` : ''}`;
  if (!hasSignedIn()) {
    return (
      <Page title={t('help.feedback')} backTo="/help">
        <p className="help-intro">{t('help.feedbackSignIn')}</p>
        <div className="help-contact">
          <Button
            block
            color="primary"
            shape="rounded"
            size="large"
            onClick={() => void navigate(`/sign-in?next=${encodeURIComponent(here)}`)}
          >
            {t('help.signIn')}
          </Button>
        </div>
      </Page>
    );
  }
  return (
    <Page title={t('help.feedback')} backTo="/help">
      <p className="help-intro">{t('help.feedbackIntro')}</p>
      <Form
        layout="vertical"
        initialValues={{ rating: 0 }}
        onFinish={(values: FeedbackValues) => send.mutate(values)}
        footer={
          <Button block type="submit" color="primary" size="large" shape="rounded" loading={send.isPending}>
            {t('help.feedbackSend')}
          </Button>
        }
      >
        <Form.Item
          name="rating"
          label={t('help.rating')}
          rules={[
            {
              validator: (_, value: number) =>
                value >= 1 ? Promise.resolve() : Promise.reject(new Error(t('help.ratingRequired'))),
            },
          ]}
        >
          <RatingInput />
        </Form.Item>
        <Form.Item name="text" label={t('help.feedbackText')}>
          <TextArea placeholder={t('help.feedbackPlaceholder')} maxLength={1000} showCount rows={5} />
        </Form.Item>
      </Form>
      {send.isError ? (
        <p className="form-error" role="alert">
          {errorMessage(send.error)}
        </p>
      ) : null}
    </Page>
  );
}

/** Five star buttons (each a real button: a keyboard and a screen reader can rate), with words. */
function RatingInput(props: { value?: number; onChange?: (value: number) => void }) {
  const { t } = useTranslation();
  const value = props.value ?? 0;
  return (
    <div className="help-rating" role="group" aria-label={t('help.rating')}>
      <span className="help-stars">
        {[1, 2, 3, 4, 5].map((stars) => (
          <button
            key={stars}
            type="button"
            className={`help-star${stars <= value ? ' help-star-on' : ''}`}
            aria-pressed={stars === value}
            aria-label={t('help.rateAs', { count: stars, words: t(`help.ratingWords.${stars}`) })}
            onClick={() => props.onChange?.(stars)}
          >
            ★
          </button>
        ))}
      </span>
      <span className="help-rating-words" aria-live="polite">
        {value ? t(`help.ratingWords.${value}`) : t('help.ratingNone')}
      </span>
    </div>
  );
}
