/**
 * The shared PDF pieces: the font is embedded and subset (small files that show Chinese in any
 * reader), the same input gives the same bytes, the metadata is filled in, page footers count the
 * pages, a long table repeats its heading on every page, and text is made printable.
 */
import { describe, expect, it } from 'vitest';
import { FONTS, drawPageFooter, drawTable, pageNumberText, printable, renderPdf } from './index.ts';
import type { PdfSettings } from './index.ts';
import { readPdf } from './testing.ts';

const MARGINS = { top: 40, bottom: 48, left: 40, right: 40 };
const settings: PdfSettings = {
  title: '测试 Test',
  createdAt: new Date('2025-03-04T02:03:04Z'),
  size: 'A4',
  layout: 'portrait',
  margins: MARGINS,
  footer: (doc, page) => drawPageFooter(doc, page, { margins: MARGINS, left: '钱包 Qianbao' }),
};

describe('renderPdf', () => {
  it('embeds a subset of Noto Sans SC, regular and bold, and nothing else', async () => {
    const pdf = await renderPdf(settings, (doc) => {
      doc.text('测试小店 ¥12.34');
      doc.font(FONTS.bold).text('商户日结单 Daily statement');
    });
    const raw = pdf.toString('latin1');
    expect(raw.match(/\/BaseFont \/[A-Z]{6}\+NotoSansSC-(Regular|Bold)/g)?.length).toBe(4); // Type0 + CIDFont each
    expect(raw.match(/\/FontFile2 /g)?.length).toBe(2);
    expect(raw).not.toMatch(/Helvetica|STSong/);
    // A subset: a few kilobytes, not the 10 MB files.
    expect(pdf.length).toBeLessThan(60_000);
    const read = await readPdf(pdf);
    expect(read.pages[0]).toContain('测试小店 ¥12.34');
    expect(read.pages[0]).toContain('商户日结单 Daily statement');
  });

  it('gives the same bytes for the same input, with its metadata', async () => {
    const draw = (doc: PDFKit.PDFDocument) => doc.text('钱包 Qianbao');
    const first = await renderPdf(settings, draw);
    const second = await renderPdf(settings, draw);
    expect(first.equals(second)).toBe(true);
    const other = await renderPdf({ ...settings, createdAt: new Date('2025-03-05T00:00:00Z') }, draw);
    expect(other.equals(first)).toBe(false);
    const { info } = await readPdf(first);
    expect(info).toMatchObject({ Title: '测试 Test', Author: 'Qianbao', CreationDate: 'D:20250304020304Z' });
  });

  it('numbers every page in both languages', async () => {
    const pdf = await renderPdf(settings, (doc) => {
      doc.text('one');
      doc.addPage().text('two');
      doc.addPage().text('three');
    });
    const { pages } = await readPdf(pdf);
    expect(pages).toHaveLength(3);
    pages.forEach((text, index) => {
      expect(text).toContain(`第 ${index + 1}/3 页 · Page ${index + 1} of 3`);
      expect(text).toContain('钱包 Qianbao');
    });
    expect(pageNumberText({ number: 2, count: 7 })).toBe('第 2/7 页 · Page 2 of 7');
  });

  it('fails when the drawing fails', async () => {
    await expect(
      renderPdf(settings, () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });
});

describe('drawTable', () => {
  it('starts new pages with the page heading and the table heading, and loses no row', async () => {
    const rows = Array.from({ length: 120 }, (_, index) => ({ cells: [`行 ${index}`, `${index}.00`] }));
    const pdf = await renderPdf(settings, (doc) => {
      drawTable(doc, {
        x: MARGINS.left,
        columns: [
          { header: '名称 Name', width: 200 },
          { header: '金额 Amount', width: 100, align: 'right' },
        ],
        rows,
        fontSize: 9,
        padding: { x: 4, y: 4 },
        onNewPage: (page) => {
          page.text('续 continued', MARGINS.left, MARGINS.top);
        },
      });
    });
    const { pages } = await readPdf(pdf);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    pages.forEach((text, index) => {
      expect(text).toContain('名称 Name');
      expect(text).toContain('金额 Amount');
      if (index > 0) expect(text).toContain('续 continued');
    });
    const all = pages.join('\n');
    for (let index = 0; index < 120; index += 1) {
      expect(all).toMatch(new RegExp(`行 ${index}\\s+${index}\\.00`));
    }
  });
});

describe('printable', () => {
  it('flattens control characters and clips by characters', () => {
    expect(printable('午饭\nAA\t谢谢', 20)).toBe('午饭 AA 谢谢');
    expect(printable('一二三四五', 5)).toBe('一二三四五');
    expect(printable('一二三四五六', 5)).toBe('一二三四…');
    expect(printable('😀😀😀', 2)).toBe('😀…');
  });
});
