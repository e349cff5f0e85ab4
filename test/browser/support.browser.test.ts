/**
 * Customer service (issue 15, docs/support.md), in Chromium: a holder on the phone and a support
 * operator in the console (a second browser context at 1280 × 800).
 *
 * The holder opens 联系客服 from 我的, opens a ticket about a payment with a screenshot attached;
 * the operator sees it arrive in 工单 (live), writes a reply template, opens the ticket (the
 * attachment listed), answers from the template; the holder's open conversation shows the answer
 * without a reload (the inbox stream carries it); the operator resolves it; the holder rates it
 * (once — the card then shows the rating) and the console shows the rating, live too. One view in
 * English. Screenshots in test-results/screenshots/support/.
 */
import { crc32, deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { openPhone, randomPhone, registerOnScreens, screenshots, startBrowserStack } from './browser.ts';
import type { BrowserStack, PhonePage } from './browser.ts';
import { consoleMenu, makeOperator, signInToConsole } from './console.ts';
import type { ConsoleOperator } from './console.ts';
import { openDesktop } from './portal.ts';

const PASSWORD = 'Lotus-garden-88';
/** A screenshot-like PNG (a receipt: grey lines on white under a red bar); the server checks its magic bytes. */
const PNG = png(240, 160, (x, y) =>
  y < 28 ? [200, 16, 46] : y % 24 < 4 && x > 20 && x < 200 - (y % 48) ? [190, 190, 196] : [255, 255, 255],
);
const TEMPLATE_TITLE = '扣款未到账';
const TEMPLATE_BODY = '您好，这笔款项会在 24 小时内自动退回原付款账户，请留意到账通知。';

describe('customer service: a ticket from the holder to the console and back', () => {
  let stack: BrowserStack;
  let holder: PhonePage;
  let desk: PhonePage;
  let agent: ConsoleOperator;

  beforeAll(async () => {
    stack = await startBrowserStack();
    agent = await makeOperator(stack, { username: 'wang.kefu', role: 'support', name: '客服小王' });
  }, 240_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('holder opens a ticket with an attachment; the operator answers from a template; the holder sees it live and rates it', async () => {
    const shots = screenshots('support');
    onTestFailed(async () => {
      // What each side showed when it failed (not kept as a screenshot of the journey).
      await holder?.page.screenshot({ path: `${shots.folder}/failed-holder.png` }).catch(() => undefined);
      await desk?.page.screenshot({ path: `${shots.folder}/failed-desk.png` }).catch(() => undefined);
    });
    holder = await openPhone(stack);
    const { page } = holder;
    await registerOnScreens(page, stack.url, { phone: randomPhone(), password: PASSWORD });

    // ---- 我的 → 联系客服 → 提交工单 ----
    await page.goto('/me');
    await page.getByRole('link', { name: '联系客服' }).click();
    await page.waitForURL((url) => url.pathname === '/support');
    await page.getByText('还没有工单').waitFor();
    await shots.take(page, 'holder-support-empty-zh');
    await page.getByRole('button', { name: '提交工单' }).click();
    await page.waitForURL((url) => url.pathname === '/support/new');
    await page.getByText('付款', { exact: true }).click();
    await page.getByLabel('问题描述').fill('昨天在便利店扫码付款显示失败，但是余额被扣了 ¥35.00。');
    await page.getByTestId('support-file-input').setInputFiles({
      name: '付款截图.png',
      mimeType: 'image/png',
      buffer: PNG,
    });
    await page.getByTestId('support-files').getByText('付款截图.png').waitFor();
    await shots.take(page, 'holder-new-ticket-zh');
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await page.waitForURL((url) => /^\/support\/[0-9a-f-]{36}$/.test(url.pathname));
    const ticketId = new URL(page.url()).pathname.split('/').pop()!;
    const thread = page.getByTestId('support-thread');
    await expect.poll(() => thread.textContent()).toContain('余额被扣了');
    await expect.poll(() => page.getByTestId('support-status').textContent()).toBe('待处理');
    await expect.poll(() => thread.locator('img.cs-thumb').count()).toBe(1);
    await page.evaluate('window.scrollTo(0, 0)');
    await shots.take(page, 'holder-ticket-open-zh');

    // ---- The operator: 工单, the queue shows it ----
    desk = await openDesktop(stack);
    await signInToConsole(desk.page, agent);
    await consoleMenu(desk.page, '工单');
    const queue = desk.page.getByTestId('tickets-queue');
    const row = queue.locator('tr', { hasText: '余额被扣了' });
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('待处理');
    await expect.poll(() => row.textContent()).toContain('付款');
    await expect.poll(() => desk.page.getByTestId('tickets-live').textContent()).toContain('实时更新中');

    // A second ticket arrives while the queue is open: it appears without a reload.
    const second = await page.request.post('/v1/me/support/tickets', {
      headers: { 'idempotency-key': crypto.randomUUID() },
      data: { topic: 'card', text: '银行卡绑定一直提示失败' },
    });
    expect(second.status(), await second.text()).toBe(201);
    await queue.locator('tr', { hasText: '银行卡绑定一直提示失败' }).waitFor();
    await shots.take(desk.page, 'console-queue-zh');

    // ---- A reply template (help:manage) ----
    await desk.page.getByRole('button', { name: '管理回复模板' }).click();
    const templates = desk.page.getByRole('dialog', { name: '回复模板' });
    await templates.getByRole('button', { name: '新增模板' }).click();
    await templates.getByLabel('名称').fill(TEMPLATE_TITLE);
    await templates.getByLabel('回复内容').fill(TEMPLATE_BODY);
    await templates.getByRole('button', { name: '保存' }).click();
    await templates.getByRole('cell', { name: TEMPLATE_TITLE }).waitFor();
    await shots.take(desk.page, 'console-templates-zh');
    await templates.getByRole('button', { name: /Close|关闭/ }).click();

    // ---- The conversation: the attachment, the answer from the template ----
    await row.click();
    await desk.page.waitForURL((url) => url.pathname === `/console/tickets/${ticketId}`);
    const consoleThread = desk.page.getByTestId('ticket-thread');
    await expect.poll(() => consoleThread.textContent()).toContain('余额被扣了');
    await expect
      .poll(() => desk.page.getByTestId('ticket-attachment').textContent())
      .toContain('付款截图.png');
    await pickTemplate(desk.page, TEMPLATE_TITLE);
    await expect.poll(() => desk.page.getByTestId('ticket-answer').inputValue()).toBe(TEMPLATE_BODY);
    await shots.take(desk.page, 'console-answer-from-template-zh');
    await desk.page.getByRole('button', { name: '发送回复' }).click();
    await expect.poll(() => consoleThread.textContent()).toContain('24 小时内自动退回');
    await expect.poll(() => desk.page.getByTestId('ticket-assignee').textContent()).toBe('客服小王');

    // ---- The holder, without reloading: the answer is there ----
    await expect.poll(() => thread.textContent(), { timeout: 10_000 }).toContain('24 小时内自动退回');
    await expect.poll(() => page.getByTestId('support-status').textContent()).toBe('客服已回复');
    await expect.poll(() => thread.textContent()).toContain('客服小王');
    await page.evaluate('window.scrollTo(0, 0)');
    await shots.take(page, 'holder-sees-answer-zh');

    // The holder writes back; the console's conversation shows it without a reload.
    await page.getByLabel('回复').fill('好的，谢谢，我再等等。');
    await page.getByRole('button', { name: '发送', exact: true }).click();
    await expect.poll(() => consoleThread.textContent(), { timeout: 10_000 }).toContain('我再等等');
    await expect.poll(() => desk.page.getByTestId('ticket-status').textContent()).toBe('待客服回复');

    // ---- Resolved: the holder rates it, once ----
    await desk.page.getByRole('button', { name: '标记为已解决' }).click();
    await desk.page.locator('.ant-popconfirm').getByRole('button', { name: '标记为已解决' }).click();
    await expect.poll(() => desk.page.getByTestId('ticket-status').textContent()).toBe('已解决');
    const rating = page.getByTestId('support-rating');
    await rating.waitFor({ timeout: 10_000 });
    await expect.poll(() => page.getByTestId('support-status').textContent()).toBe('已解决');
    await rating.getByRole('button', { name: '5 星' }).click();
    await rating.getByLabel('评价').fill('处理很快，谢谢客服小王');
    await page.evaluate('window.scrollTo(0, 0)');
    await shots.take(page, 'holder-rates-zh');
    await rating.getByRole('button', { name: '提交评价' }).click();
    await page.getByTestId('support-rated').waitFor();
    await expect.poll(() => page.getByTestId('support-rating').count()).toBe(0);
    await page.evaluate('window.scrollTo(0, 0)');
    await shots.take(page, 'holder-rated-zh');
    // A second rating is refused by the server.
    const again = await page.request.post(`/v1/me/support/tickets/${ticketId}/rating`, {
      data: { score: 1 },
    });
    expect(again.status()).toBe(409);
    // The console shows the rating (pushed, no reload).
    await expect
      .poll(() => desk.page.getByTestId('ticket-rating').textContent(), { timeout: 10_000 })
      .toContain('处理很快');
    await shots.take(desk.page, 'console-resolved-rated-zh');

    // ---- The list, and one view in English ----
    await page.goto('/support');
    await page.getByTestId('support-list-item').first().waitFor();
    await expect.poll(() => page.getByTestId('support-list').textContent()).toContain('已解决');
    await shots.take(page, 'holder-list-zh');
    await page.evaluate("localStorage.setItem('qb_language', 'en')");
    await page.goto(`/support/${ticketId}`);
    await expect.poll(() => page.getByTestId('support-status').textContent()).toBe('Resolved');
    await page.getByText('Your rating').waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await shots.take(page, 'holder-ticket-en');

    expect(holder.problems).toEqual([]);
    expect(desk.problems).toEqual([]);
  }, 240_000);

  it('live chat: outside or inside service hours, the holder is told what happens', async () => {
    const shots = screenshots('support-chat');
    const { page } = holder;
    await page.evaluate("localStorage.setItem('qb_language', 'zh-CN')");
    await page.goto('/support/chat');
    const hours = page.getByTestId('support-hours');
    await hours.waitFor();
    await page.getByLabel('你想咨询什么？').fill('请问转账限额是多少？');
    const open = ((await hours.textContent()) ?? '').includes('通常');
    await shots.take(page, 'holder-chat-start-zh');
    await page.getByRole('button', { name: open ? '在线咨询' : '留言（转为工单）' }).click();
    await page.waitForURL((url) => /^\/support\/[0-9a-f-]{36}$/.test(url.pathname));
    const banner = page.getByTestId('support-chat-banner');
    if (open) {
      await expect.poll(() => banner.textContent()).toContain('正在为你接入客服');
      // The operator picks it up in the console; the holder's banner changes without a reload.
      await consoleMenu(desk.page, '工单');
      const row = desk.page.getByTestId('tickets-queue').locator('tr', { hasText: '转账限额' });
      await row.waitFor();
      await row.click();
      await desk.page.getByRole('button', { name: '接入咨询' }).click();
      await expect.poll(() => banner.textContent(), { timeout: 10_000 }).toContain('客服小王 正在为你服务');
    } else {
      await expect.poll(() => banner.textContent()).toContain('已转为工单');
      await expect.poll(() => page.getByTestId('support-thread').textContent()).toContain('不在在线客服时间');
    }
    await shots.take(page, 'holder-chat-zh');
    expect(holder.problems).toEqual([]);
  }, 120_000);
});

/** antd's Select: open it, then click the option by its label. */
async function pickTemplate(page: Page, title: string): Promise<void> {
  await page.getByRole('combobox', { name: '选择回复模板' }).click();
  await page.locator('.ant-select-item-option', { hasText: title }).click();
}

/** An RGB PNG drawn by `pixel` (no dependency: zlib's deflate and CRC). */
function png(
  width: number,
  height: number,
  pixel: (x: number, y: number) => [number, number, number],
): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), y * (width * 3 + 1) + 1 + x * 3);
  }
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
