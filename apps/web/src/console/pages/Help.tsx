/**
 * 帮助中心: the FAQ holders search in the wallet (docs/help.md). Every article, drafts too, and the
 * editor: category, order, title and body in Chinese and English (tabs), with a preview exactly
 * as the wallet shows it; publish or take down. An edit names the version it began from, so two
 * operators cannot overwrite each other (HELP_ARTICLE_CHANGED). Needs `help:manage`; audited.
 */
import { QuestionCircleOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Breadcrumb,
  Button,
  Card,
  Col,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import type { TableProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { errorMessage, isApiError } from '../../api/client.ts';
import { formatDateTime } from '../../lib/format.ts';
import { PortalLoadFailed, PortalLoading } from '../../portal/parts.tsx';
import { ArticleBody } from '../../screens/help/ArticleBody.tsx';
import type { ConsolePage } from '../page.ts';
import {
  HELP_CATEGORIES,
  HELP_LANGS,
  createArticle,
  fetchArticle,
  fetchArticles,
  publishArticle,
  reviewKeys,
  updateArticle,
} from '../review/api.ts';
import type { ArticleInput, HelpLang, ManagedArticle } from '../review/api.ts';
import '../review/review.css';

function Help() {
  return (
    <Routes>
      <Route index element={<Articles />} />
      <Route path="new" element={<Editor article={null} />} />
      <Route path=":id" element={<EditArticle />} />
    </Routes>
  );
}

export const page: ConsolePage = {
  path: 'help',
  title: 'console.menu.help',
  permission: 'help:manage',
  order: 60,
  icon: <QuestionCircleOutlined />,
  component: Help,
};

function PublishedTag(props: { published: boolean }) {
  const { t } = useTranslation();
  return props.published ? (
    <Tag color="success">{t('console.help.published')}</Tag>
  ) : (
    <Tag>{t('console.help.draft')}</Tag>
  );
}

function Articles() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const articles = useQuery({ queryKey: reviewKeys.articles, queryFn: fetchArticles });
  const columns: TableProps<ManagedArticle>['columns'] = [
    {
      title: t('console.help.category'),
      dataIndex: 'category',
      render: (value: string) => t(`console.help.categories.${value}`),
    },
    { title: t('console.help.position'), dataIndex: 'position', align: 'right', width: 80 },
    { title: t('console.help.titleZh'), key: 'zh', render: (_, row) => row.texts['zh-CN'].title },
    { title: t('console.help.titleEn'), key: 'en', render: (_, row) => row.texts.en.title },
    {
      title: t('console.help.state'),
      dataIndex: 'published',
      render: (value: boolean) => <PublishedTag published={value} />,
    },
    {
      title: t('console.help.updatedAt'),
      dataIndex: 'updatedAt',
      render: (value: string) => formatDateTime(value, i18n.language),
    },
  ];
  return (
    <div className="review-page">
      <Space className="console-full" style={{ justifyContent: 'space-between' }}>
        <Typography.Title level={3}>{t('console.help.title')}</Typography.Title>
        <Button type="primary" onClick={() => void navigate('new')}>
          {t('console.help.new')}
        </Button>
      </Space>
      <Typography.Paragraph type="secondary">{t('console.help.intro')}</Typography.Paragraph>
      <Card variant="borderless">
        {articles.isError ? (
          <PortalLoadFailed error={articles.error} onRetry={() => void articles.refetch()} />
        ) : (
          <Table<ManagedArticle>
            data-testid="help-articles"
            rowKey="id"
            size="middle"
            loading={articles.isPending}
            columns={columns}
            dataSource={articles.data ?? []}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            rowClassName="review-row"
            locale={{ emptyText: t('console.help.empty') }}
            onRow={(row) => ({
              onClick: () => void navigate(row.id),
              onKeyDown: (event) => {
                if (event.key === 'Enter') void navigate(row.id);
              },
              tabIndex: 0,
              'aria-label': t('console.help.edit', { title: row.texts['zh-CN'].title }),
            })}
          />
        )}
      </Card>
    </div>
  );
}

function EditArticle() {
  const { id = '' } = useParams();
  const article = useQuery({ queryKey: reviewKeys.article(id), queryFn: () => fetchArticle(id) });
  if (article.isPending) return <PortalLoading />;
  if (article.isError)
    return <PortalLoadFailed error={article.error} onRetry={() => void article.refetch()} />;
  // Keyed by version: a saved or reloaded article starts the form again from what the server has.
  return <Editor key={`${article.data.id}:${article.data.version}`} article={article.data} />;
}

type EditorValues = ArticleInput;

const EMPTY: EditorValues = {
  category: 'account',
  position: 100,
  texts: { 'zh-CN': { title: '', body: '' }, en: { title: '', body: '' } },
};

function Editor(props: { article: ManagedArticle | null }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<EditorValues>();
  const [lang, setLang] = useState<HelpLang>('zh-CN');
  const { article } = props;
  const initial: EditorValues = article
    ? { category: article.category, position: article.position, texts: article.texts }
    : EMPTY;
  const title = Form.useWatch(['texts', lang, 'title'], form) as string | undefined;
  const body = Form.useWatch(['texts', lang, 'body'], form) as string | undefined;

  const refresh = async (saved: ManagedArticle) => {
    queryClient.setQueryData(reviewKeys.article(saved.id), saved);
    await queryClient.invalidateQueries({ queryKey: reviewKeys.articles });
  };
  const save = useMutation({
    mutationFn: (values: EditorValues) =>
      article ? updateArticle(article.id, { ...values, version: article.version }) : createArticle(values),
    onSuccess: async (saved) => {
      await refresh(saved);
      void message.success(t('console.help.saved'));
      if (!article) void navigate(`/console/help/${saved.id}`, { replace: true });
    },
  });
  const publish = useMutation({
    mutationFn: (published: boolean) => publishArticle(article!.id, published),
    onSuccess: async (saved) => {
      await refresh(saved);
      void message.success(t(saved.published ? 'console.help.publishedNow' : 'console.help.unpublishedNow'));
    },
  });
  const changed = isApiError(save.error, 'HELP_ARTICLE_CHANGED');

  const textFields = (language: HelpLang) => (
    <>
      <Form.Item
        name={['texts', language, 'title']}
        label={t('console.help.articleTitle')}
        rules={[{ required: true, whitespace: true, max: 100, message: t('console.help.titleRequired') }]}
      >
        <Input maxLength={100} showCount />
      </Form.Item>
      <Form.Item
        name={['texts', language, 'body']}
        label={t('console.help.body')}
        extra={t('console.help.format')}
        rules={[{ required: true, whitespace: true, max: 20000, message: t('console.help.bodyRequired') }]}
      >
        <Input.TextArea rows={16} maxLength={20000} />
      </Form.Item>
    </>
  );

  return (
    <div className="review-page">
      <Breadcrumb
        items={[
          { title: <Link to="/console/help">{t('console.help.title')}</Link> },
          { title: article ? article.texts['zh-CN'].title : t('console.help.new') },
        ]}
      />
      <Space align="center" className="console-full" style={{ justifyContent: 'space-between' }}>
        <Typography.Title level={3}>
          {article ? t('console.help.editTitle') : t('console.help.new')}{' '}
          {article ? <PublishedTag published={article.published} /> : null}
        </Typography.Title>
        {article ? (
          <Space>
            <Typography.Text type="secondary">
              {t('console.help.versionLine', {
                version: article.version,
                at: formatDateTime(article.updatedAt, i18n.language),
              })}
            </Typography.Text>
            <Button
              onClick={() => publish.mutate(!article.published)}
              loading={publish.isPending}
              type={article.published ? 'default' : 'primary'}
              danger={article.published}
            >
              {article.published ? t('console.help.unpublish') : t('console.help.publish')}
            </Button>
          </Space>
        ) : null}
      </Space>
      {publish.isError ? (
        <Alert type="error" showIcon title={errorMessage(publish.error)} role="alert" />
      ) : null}
      {save.isError ? (
        <Alert
          type="error"
          showIcon
          role="alert"
          title={errorMessage(save.error)}
          action={
            changed && article ? (
              <Button
                size="small"
                onClick={() =>
                  void queryClient.invalidateQueries({ queryKey: reviewKeys.article(article.id) })
                }
              >
                {t('console.help.reload')}
              </Button>
            ) : undefined
          }
        />
      ) : null}
      <Form<EditorValues>
        form={form}
        layout="vertical"
        initialValues={initial}
        onFinish={(values) => save.mutate(values)}
        onFinishFailed={({ errorFields }) => {
          // show the language whose fields are missing
          const missing = errorFields.find((field) => field.name[0] === 'texts')?.name[1];
          if (missing === 'zh-CN' || missing === 'en') setLang(missing);
        }}
        aria-label={t('console.help.editorLabel')}
      >
        <Row gutter={24}>
          <Col xs={24} xl={13}>
            <Card variant="borderless">
              <Space wrap size="large">
                <Form.Item name="category" label={t('console.help.category')} rules={[{ required: true }]}>
                  <Select
                    style={{ width: 200 }}
                    options={HELP_CATEGORIES.map((value) => ({
                      value,
                      label: t(`console.help.categories.${value}`),
                    }))}
                  />
                </Form.Item>
                <Form.Item
                  name="position"
                  label={t('console.help.position')}
                  extra={t('console.help.positionHelp')}
                  rules={[{ required: true, type: 'integer', min: 0, max: 9999 }]}
                >
                  <InputNumber min={0} max={9999} precision={0} />
                </Form.Item>
              </Space>
              <Tabs
                activeKey={lang}
                onChange={(key) => setLang(key as HelpLang)}
                items={HELP_LANGS.map((language) => ({
                  key: language,
                  label: t(`console.help.lang.${language}`),
                  forceRender: true,
                  children: textFields(language),
                }))}
              />
              <Space>
                <Button type="primary" htmlType="submit" loading={save.isPending}>
                  {t('console.help.save')}
                </Button>
                <Button onClick={() => void navigate('/console/help')}>{t('console.help.back')}</Button>
              </Space>
            </Card>
          </Col>
          <Col xs={24} xl={11}>
            <Card
              variant="borderless"
              title={t('console.help.preview', { lang: t(`console.help.lang.${lang}`) })}
            >
              <article className="help-preview" data-testid="help-preview" lang={lang}>
                <h2>{title?.trim() || t('console.help.untitled')}</h2>
                <ArticleBody body={body ?? ''} />
              </article>
            </Card>
          </Col>
        </Row>
      </Form>
    </div>
  );
}
