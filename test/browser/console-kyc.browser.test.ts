/**
 * 实名审核 in the operator console (issue 15), in Chromium: two holders, real-name verified (T1),
 * upload their ID card and a selfie on the wallet's 实名认证 screen; a compliance operator
 * (role kyc_reviewer) made with the CLI signs in to the console, opens the queue, looks at the
 * documents (each view audited) and approves the first — whose wallet then shows T3, as the API
 * says — and rejects the second with a reason, which that holder's wallet shows. Then 商户审核:
 * a company merchant's application, its licence shown, approved — the merchant is active.
 * Screenshots in test-results/screenshots/console-kyc/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idNumber, screenshots, startBrowserStack, verifiedHolder } from './browser.ts';
import type { BrowserStack } from './browser.ts';
import { consoleMenu, consoleMenuItems, makeOperator, signInToConsole } from './console.ts';
import { openDesktop } from './portal.ts';

const PASSWORD = 'Quiet-river-2026';
const PIN = '258036';
const REASON = '人像面照片模糊，请在光线充足处重新拍摄';

/** A picture of a card drawn in the holder's page (a canvas), as a PNG the server accepts. */
async function drawnPicture(page: Page, lines: string[], colour: string): Promise<Buffer> {
  // A string: the tests' TypeScript has no DOM types.
  const dataUrl = await page.evaluate<string>(`(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 400;
    const context = canvas.getContext('2d');
    context.fillStyle = ${JSON.stringify(colour)};
    context.fillRect(0, 0, 640, 400);
    context.fillStyle = '#ffffff';
    context.fillRect(24, 24, 592, 352);
    context.fillStyle = '#333333';
    context.font = '28px sans-serif';
    ${JSON.stringify(lines)}.forEach((line, i) => context.fillText(line, 56, 96 + i * 56));
    context.fillStyle = '#d9d9d9';
    context.fillRect(460, 120, 120, 150);
    return canvas.toDataURL('image/png');
  })()`);
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
}

async function uploadDocuments(page: Page, name: string): Promise<void> {
  await page.goto('/me/real-name');
  const pictures = {
    id_front: await drawnPicture(
      page,
      ['居民身份证（样本）', `姓名 ${name}`, '公民身份号码 ****'],
      '#e6f4ff',
    ),
    id_back: await drawnPicture(page, ['中华人民共和国', '居民身份证', '签发机关 样本'], '#fff7e6'),
    selfie: await drawnPicture(page, ['本人自拍（样本）', name], '#f6ffed'),
  };
  for (const [kind, buffer] of Object.entries(pictures)) {
    await page
      .locator(`input[type=file][name=${kind}]`)
      .setInputFiles({ name: `${kind}.png`, mimeType: 'image/png', buffer });
  }
  await page.getByText('已选择，点按更换').nth(2).waitFor();
  await page.getByRole('button', { name: '提交审核' }).click();
  await expect.poll(() => page.getByTestId('review-status').textContent()).toBe('审核中');
}

/** Every document image on the review page has loaded (the operator's cookie went with it). */
async function imagesLoaded(page: Page): Promise<number> {
  return page.evaluate<number>(
    `[...document.querySelectorAll('.review-document img')].filter((image) => image.complete && image.naturalWidth > 0).length`,
  );
}

describe('the operator console: real-name and merchant review', () => {
  let stack: BrowserStack;

  beforeAll(async () => {
    stack = await startBrowserStack();
  }, 300_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('a compliance operator approves one holder to T3 and rejects another with a reason both see', async () => {
    const shots = screenshots('console-kyc');
    const approved = await verifiedHolder(stack, {
      legalName: '王小明',
      idNumber: idNumber('11010519880412345'),
      password: PASSWORD,
      pin: PIN,
    });
    const rejected = await verifiedHolder(stack, {
      legalName: '陈静',
      idNumber: idNumber('11010519920815246'),
      password: PASSWORD,
      pin: PIN,
    });
    await uploadDocuments(approved.page, '王小明');
    await approved.page.evaluate('window.scrollTo(0, 0)');
    await shots.take(approved.page, 'holder-documents-sent');
    await uploadDocuments(rejected.page, '陈静');

    // ---- the compliance operator ----
    const operator = await makeOperator(stack, {
      username: 'zhao.hegui',
      role: 'kyc_reviewer',
      name: '赵合规',
    });
    const desk = await openDesktop(stack);
    const { page } = desk;
    await signInToConsole(page, operator);
    const items = await consoleMenuItems(page);
    expect(items).toEqual(expect.arrayContaining(['实名审核', '商户审核']));
    for (const notTheirs of ['帮助中心', '意见反馈']) expect(items).not.toContain(notTheirs);
    await consoleMenu(page, '实名审核');
    const queue = page.getByTestId('kyc-reviews');
    await expect.poll(() => queue.locator('tbody tr.ant-table-row').count()).toBe(2);
    await expect.poll(() => queue.textContent()).toContain('**明');
    await shots.take(page, 'queue');

    // The first: the documents, then approve.
    await queue.getByRole('row', { name: /\*\*明/ }).click();
    await page.getByRole('heading', { name: /证件审核/ }).waitFor();
    await expect.poll(() => imagesLoaded(page)).toBe(3);
    expect(await page.getByTestId('kyc-tier').textContent()).toBe('T1');
    await shots.take(page, 'review');
    await page.getByRole('button', { name: '通过', exact: true }).click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: '通过' }).click();
    await page.getByText('已通过，用户已升级为 T3').waitFor();
    await expect.poll(() => queue.locator('tbody tr.ant-table-row').count()).toBe(1);
    await shots.take(page, 'approved');

    // The holder's tier rose: the API says so, and the wallet shows it.
    const profile = await approved.page.request.get('/v1/me/kyc');
    expect(((await profile.json()) as { tier: string }).tier).toBe('T3');
    await approved.page.goto('/');
    await expect
      .poll(() => approved.page.getByTestId('tier-card').textContent())
      .toContain('T3 · 证件已审核');
    await shots.take(approved.page, 'holder-home-t3');
    await approved.page.goto('/me/real-name');
    await expect.poll(() => approved.page.getByTestId('kyc-tier').textContent()).toBe('T3 · 证件已审核');
    await shots.take(approved.page, 'holder-real-name-t3');

    // The second: rejected with a reason (the reason is required).
    await queue.getByRole('row', { name: /\*静/ }).click();
    await expect.poll(() => imagesLoaded(page)).toBe(3);
    await page.getByRole('button', { name: '驳回', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: '驳回' }).click();
    await dialog.getByText('请填写原因').waitFor();
    await dialog.getByLabel('原因').fill(REASON);
    await shots.take(page, 'reject-reason');
    await dialog.getByRole('button', { name: '驳回' }).click();
    await page.getByText('已驳回，用户会收到原因').waitFor();
    await expect.poll(() => queue.locator('tbody tr.ant-table-row').count()).toBe(0);
    await page.locator('.review-filter').getByText('已驳回', { exact: true }).click();
    await expect.poll(() => queue.textContent()).toContain(REASON);
    await shots.take(page, 'rejected-list');

    await rejected.page.goto('/me/real-name');
    await expect.poll(() => rejected.page.getByTestId('review-status').textContent()).toBe('未通过');
    await rejected.page.getByText(`原因：${REASON}`).waitFor();
    expect(await rejected.page.getByTestId('kyc-tier').textContent()).toBe('T1 · 已实名');
    await shots.take(rejected.page, 'holder-rejected');

    // Every look and decision is in the audit log, by this operator.
    const { rows } = await stack.database.pool.query<{ action: string; n: number }>(
      `SELECT action, count(*)::int AS n FROM operator_audit_log a JOIN operator_accounts o ON o.id = a.operator_id
        WHERE o.username = 'zhao.hegui' GROUP BY action`,
    );
    const counted = Object.fromEntries(rows.map((row) => [row.action, row.n]));
    expect(counted['kyc.review_approved']).toBe(1);
    expect(counted['kyc.review_rejected']).toBe(1);
    expect(counted['kyc.document_viewed']).toBeGreaterThanOrEqual(6);

    // ---- 商户审核: a company merchant's application ----
    await applyAsCompany(approved.page);
    await consoleMenu(page, '商户审核');
    const applications = page.getByTestId('merchant-applications');
    await expect.poll(() => applications.textContent()).toContain('星河咖啡');
    await shots.take(page, 'merchant-queue');
    await applications.getByRole('row', { name: /星河咖啡/ }).click();
    await page.getByRole('heading', { name: /星河咖啡/ }).waitFor();
    await expect.poll(() => imagesLoaded(page)).toBe(1);
    await shots.take(page, 'merchant-application');
    await page.getByRole('button', { name: '通过', exact: true }).click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: '通过' }).click();
    await page.getByText('已通过，商户已开通').waitFor();
    const merchant = await approved.page.request.get('/v1/me/merchant');
    expect(((await merchant.json()) as { status: string }).status).toBe('active');

    // English, for the record.
    await page.locator('.portal-header').getByText('English', { exact: true }).click();
    await consoleMenu(page, 'Real-name review');
    await page.locator('.review-filter').getByText('Approved', { exact: true }).click();
    await expect.poll(() => queue.locator('tbody tr.ant-table-row').count()).toBe(1);
    await shots.take(page, 'english-approved');
    await page.locator('.portal-header').getByText('中文', { exact: true }).click();

    expect(desk.problems).toEqual([]);
    expect(approved.problems).toEqual([]);
    expect(rejected.problems).toEqual([]);
    await desk.context.close();
    await approved.context.close();
    await rejected.context.close();
  }, 300_000);
});

/** As the holder, through the API: a company merchant application with its licence (a PNG). */
async function applyAsCompany(page: Page): Promise<void> {
  const licence = await drawnPicture(
    page,
    ['营业执照（样本）', '名称 星河咖啡有限公司', '法定代表人 王小明'],
    '#fff1f0',
  );
  const response = await page.request.post('/v1/me/merchant/company', {
    multipart: {
      name: '星河咖啡',
      city: '北京',
      mcc: '5814',
      legalName: '北京星河咖啡有限公司',
      registrationNumber: '91110108MA01ABCD1E',
      representative: '王小明',
      business_license: { name: 'licence.png', mimeType: 'image/png', buffer: licence },
    },
  });
  expect(response.status(), await response.text()).toBe(201);
}
