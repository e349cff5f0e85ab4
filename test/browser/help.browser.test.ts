/**
 * 帮助与客服 (issue 15), in Chromium: a signed-out visitor searches the FAQ; a holder opens it from
 * 我的, searches 提现 in Chinese and "withdraw" in English, reads the article, and sends feedback
 * (a rating and a few words) from it; a customer-service operator sees that feedback in the
 * console's 意见反馈, writes a new article in both languages in 帮助中心 (with its preview) and
 * publishes it — and the holder finds it. Screenshots in test-results/screenshots/help/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPhone, randomPhone, registerOnScreens, screenshots, startBrowserStack } from './browser.ts';
import type { BrowserStack } from './browser.ts';
import { consoleMenu, makeOperator, signInToConsole } from './console.ts';
import { openDesktop } from './portal.ts';

const PASSWORD = 'Mellow-lantern-77';
const WITHDRAWAL_ZH = '提现多久到账？手续费多少？';
const WITHDRAWAL_EN = 'How long does a withdrawal take, and what does it cost?';
const FEEDBACK = '提现页面能不能直接写清楚几点到账';

async function search(page: Page, placeholder: RegExp, text: string): Promise<void> {
  const box = page.getByPlaceholder(placeholder);
  await box.fill(text);
  await page.waitForURL((url) => url.searchParams.get('q') === text);
}

describe('help centre and feedback', () => {
  let stack: BrowserStack;

  beforeAll(async () => {
    stack = await startBrowserStack();
  }, 300_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('a visitor and a holder search the FAQ in both languages; feedback reaches the console; a new article is published', async () => {
    const shots = screenshots('help');

    // ---- a visitor, signed out ----
    const visitor = await openPhone(stack);
    await visitor.page.goto('/help');
    await visitor.page.getByRole('heading', { name: '帮助与客服' }).waitFor();
    await visitor.page.getByRole('link', { name: /如何实名认证/ }).waitFor();
    await shots.take(visitor.page, 'visitor-centre');
    await search(visitor.page, /搜索问题/, '手机丢了');
    const firstResult = visitor.page.locator('.help-list a').first();
    await expect.poll(() => firstResult.textContent()).toContain('手机丢了怎么办？');
    await shots.take(visitor.page, 'visitor-search');
    await visitor.page.getByRole('link', { name: /意见反馈/ }).click();
    await visitor.page.getByRole('button', { name: '登录后反馈' }).waitFor();
    await shots.take(visitor.page, 'visitor-feedback-sign-in');

    // ---- a holder: 我的 → 帮助与客服 ----
    const { page, problems, context } = await openPhone(stack);
    await registerOnScreens(page, stack.url, { phone: randomPhone(), password: PASSWORD });
    await page
      .getByRole('navigation', { name: '主导航' })
      .getByRole('link', { name: '我的', exact: true })
      .click();
    await page.getByRole('link', { name: '帮助与客服' }).click();
    await page.waitForURL('**/help');
    await page.getByRole('link', { name: /如何绑定银行卡/ }).waitFor();
    await shots.take(page, 'help-centre');

    await search(page, /搜索问题/, '提现');
    await expect.poll(() => page.locator('.help-list a').first().textContent()).toContain(WITHDRAWAL_ZH);
    await shots.take(page, 'search-zh');
    await page.getByRole('link', { name: new RegExp(WITHDRAWAL_ZH) }).click();
    await page.getByRole('heading', { name: WITHDRAWAL_ZH }).waitFor();
    expect(await page.locator('.help-article').textContent()).toContain('2 小时内');
    await shots.take(page, 'article-zh');
    const articlePath = new URL(page.url()).pathname;

    // In English: the same article, found by "withdraw".
    await page.evaluate("localStorage.setItem('qb_language', 'en')");
    await page.goto('/help');
    await search(page, /Search, e\.g\./, 'withdraw');
    await expect.poll(() => page.locator('.help-list a').first().textContent()).toContain(WITHDRAWAL_EN);
    await shots.take(page, 'search-en');
    await page.getByRole('link', { name: new RegExp(WITHDRAWAL_EN) }).click();
    await page.getByRole('heading', { name: WITHDRAWAL_EN }).waitFor();
    expect(new URL(page.url()).pathname).toBe(articlePath);
    await shots.take(page, 'article-en');
    await page.evaluate("localStorage.setItem('qb_language', 'zh-CN')");

    // Feedback from the article: a rating is required; then two stars and a sentence.
    await page.goto(articlePath);
    await page.getByRole('heading', { name: WITHDRAWAL_ZH }).waitFor();
    await page.getByRole('link', { name: /意见反馈/ }).click();
    await page.waitForURL(
      (url) => url.pathname === '/help/feedback' && url.searchParams.get('from') === articlePath,
    );
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByText('请选择评分').waitFor();
    await page.getByRole('button', { name: '2 星：不满意' }).click();
    await page.getByPlaceholder(/哪里好用/).fill(FEEDBACK);
    await shots.take(page, 'feedback');
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByText('感谢您的反馈').waitFor();
    await page.waitForURL((url) => url.pathname === articlePath);

    // ---- customer service in the console ----
    const operator = await makeOperator(stack, { username: 'sun.kefu', role: 'support', name: '孙客服' });
    const desk = await openDesktop(stack);
    await signInToConsole(desk.page, operator);
    await consoleMenu(desk.page, '意见反馈');
    const table = desk.page.getByTestId('feedback-table');
    await expect.poll(() => table.textContent()).toContain(FEEDBACK);
    expect(await table.textContent()).toContain(articlePath);
    expect(await table.textContent()).toMatch(/\d{3}\*{4}\d{4}/);
    await shots.take(desk.page, 'console-feedback');
    // Filtered by rating: five stars has none of it.
    await desk.page.getByRole('combobox').first().click();
    await desk.page.locator('.ant-select-item-option').filter({ hasText: '5 星' }).click();
    await desk.page.getByRole('button', { name: '筛选', exact: true }).click();
    await desk.page.getByText('没有符合条件的反馈').waitFor();

    // ---- 帮助中心: a new article in both languages, previewed, published ----
    await consoleMenu(desk.page, '帮助中心');
    const articles = desk.page.getByTestId('help-articles');
    await expect.poll(() => articles.textContent()).toContain(WITHDRAWAL_ZH);
    await shots.take(desk.page, 'console-articles');
    await desk.page.getByRole('button', { name: '新建文章' }).click();
    const editor = desk.page.getByRole('form', { name: '文章编辑' });
    await editor.getByRole('combobox').first().click();
    await desk.page.locator('.ant-select-item-option').filter({ hasText: '付款与转账' }).click();
    await editor.getByLabel('标题').nth(0).fill('如何查看账单？');
    await editor
      .getByLabel('正文')
      .nth(0)
      .fill(
        '在首页点“账单”，可以看到每一笔收入和支出。\n\n- 点一笔可以看详情\n- **转账**、**红包**和**提现**都在这里',
      );
    await desk.page.getByTestId('help-preview').getByText('转账', { exact: true }).waitFor();
    await shots.take(desk.page, 'console-editor-zh');
    await desk.page.getByRole('tab', { name: 'English' }).click();
    await editor.getByLabel('标题').nth(1).fill('How do I see my bills?');
    await editor
      .getByLabel('正文')
      .nth(1)
      .fill('On Home tap Bills to see every payment in and out.\n\n- Tap one for its details');
    await desk.page.getByTestId('help-preview').getByText('How do I see my bills?').waitFor();
    await shots.take(desk.page, 'console-editor-en');
    await desk.page.getByRole('button', { name: '保存', exact: true }).click();
    await desk.page.getByText('已保存').waitFor();
    await desk.page.getByRole('button', { name: '发布', exact: true }).click();
    await desk.page.getByText('已发布，用户现在可以看到这篇文章').waitFor();
    await shots.take(desk.page, 'console-published');

    await page.goto('/help');
    await search(page, /搜索问题/, '账单');
    await expect.poll(() => page.locator('.help-list a').first().textContent()).toContain('如何查看账单？');
    await shots.take(page, 'holder-finds-new-article');

    expect(problems).toEqual([]);
    expect(visitor.problems).toEqual([]);
    expect(desk.problems).toEqual([]);
    await context.close();
    await visitor.context.close();
    await desk.context.close();
  }, 300_000);
});
