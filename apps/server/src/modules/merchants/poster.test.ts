/**
 * The QR poster: its code is exactly `qrcode`'s matrix (the pure part, for any payload), and the
 * PDF read back as a reader sees it has the brand, the shop's name, the line under the code and
 * the city, on A5 — and the squares drawn in it, put back on a grid, scan to the payload.
 */
import {
  BinaryBitmap,
  DecodeHintType,
  HybridBinarizer,
  QRCodeReader,
  RGBLuminanceSource,
} from '@zxing/library';
import fc from 'fast-check';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import type { PdfRectangle } from '../../pdf/testing.ts';
import { readPdf } from '../../pdf/testing.ts';
import { POSTER_LINE, QR_QUIET_ZONE, posterPdf, qrRectangles } from './poster.ts';
import { merchantQrPayload } from './qr.ts';

const merchant = { name: '测试小店', city: '上海', mcc: '5812', qrToken: 'Qm9yZWFsVG9rZW4xMjM0NTY' };

/** The modules the rectangles cover, row by row (1 dark); a module covered twice fails. */
function paint(size: number, rectangles: readonly { x: number; y: number; width: number; height: number }[]) {
  const grid = new Uint8Array(size * size);
  for (const rectangle of rectangles) {
    for (let row = rectangle.y; row < rectangle.y + rectangle.height; row += 1) {
      for (let column = rectangle.x; column < rectangle.x + rectangle.width; column += 1) {
        expect(grid[row * size + column], `module ${row},${column} drawn twice`).toBe(0);
        grid[row * size + column] = 1;
      }
    }
  }
  return grid;
}

/** The squares of a path read back from the PDF, in modules (the top-left module is always dark). */
function modulesOf(rectangles: readonly PdfRectangle[]) {
  const module = Math.min(...rectangles.map((rectangle) => rectangle.height));
  const left = Math.min(...rectangles.map((rectangle) => rectangle.x));
  const top = Math.min(...rectangles.map((rectangle) => rectangle.y));
  const right = Math.max(...rectangles.map((rectangle) => rectangle.x + rectangle.width));
  const size = Math.round((right - left) / module);
  const inModules = rectangles.map((rectangle) => ({
    x: Math.round((rectangle.x - left) / module),
    y: Math.round((rectangle.y - top) / module),
    width: Math.round(rectangle.width / module),
    height: Math.round(rectangle.height / module),
  }));
  return { size, grid: paint(size, inModules) };
}

/** What a scanner reads from the grid, drawn black on white with its quiet zone. */
function scan(size: number, grid: Uint8Array): string {
  const scale = 4;
  const side = (size + 2 * QR_QUIET_ZONE) * scale;
  const pixels = new Uint8ClampedArray(side * side).fill(255);
  for (let y = 0; y < side; y += 1) {
    for (let x = 0; x < side; x += 1) {
      const row = Math.floor(y / scale) - QR_QUIET_ZONE;
      const column = Math.floor(x / scale) - QR_QUIET_ZONE;
      if (row >= 0 && row < size && column >= 0 && column < size && grid[row * size + column]) {
        pixels[y * side + x] = 0;
      }
    }
  }
  const bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(pixels, side, side)));
  const hints = new Map<DecodeHintType, unknown>([[DecodeHintType.CHARACTER_SET, 'UTF-8']]);
  return new QRCodeReader().decode(bitmap, hints).getText();
}

describe('qrRectangles', () => {
  it("covers exactly the code's dark modules, each once, for any payload", () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }), (payload) => {
        const { size, rectangles } = qrRectangles(payload);
        const { modules } = QRCode.create(payload, { errorCorrectionLevel: 'M' });
        expect(size).toBe(modules.size);
        expect([...paint(size, rectangles)]).toEqual([...modules.data]);
      }),
      { numRuns: 40 },
    );
  });

  it('merges the runs of a row', () => {
    const { size, rectangles } = qrRectangles(merchantQrPayload(merchant));
    // The finder pattern's top edge: seven dark modules in a row, one rectangle.
    expect(rectangles[0]).toEqual({ x: 0, y: 0, width: 7, height: 1 });
    expect(rectangles.length).toBeLessThan(size * size * 0.3);
  });
});

describe('posterPdf', () => {
  it('is an A5 page with the brand, the name, the line and the city, and its code scans', async () => {
    const payload = merchantQrPayload(merchant);
    const pdf = await posterPdf({ name: merchant.name, city: merchant.city, payload });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBeLessThan(100_000);

    const read = await readPdf(pdf);
    expect(read.pages).toHaveLength(1);
    expect(read.sizes[0]!.width).toBeCloseTo(419.53, 0);
    expect(read.sizes[0]!.height).toBeCloseTo(595.28, 0);
    const text = read.pages[0]!;
    for (const line of ['钱包 Qianbao', '测试小店', POSTER_LINE, '上海']) expect(text).toContain(line);
    expect(read.info).toMatchObject({ Title: '测试小店 收款码 Payment QR code', Author: 'Qianbao' });

    // The code is the page's path with the most rectangles; no image is embedded for it.
    const paths = read.rectanglePaths[0]!;
    const qr = paths.reduce((most, path) => (path.length > most.length ? path : most), []);
    const { size, grid } = modulesOf(qr);
    const { modules } = QRCode.create(payload, { errorCorrectionLevel: 'M' });
    expect(size).toBe(modules.size);
    expect([...grid]).toEqual([...modules.data]);
    expect(scan(size, grid)).toBe(payload);
    expect(pdf.includes('/Subtype /Image')).toBe(false);
  });

  it('fits a long name on the page', async () => {
    const name = '老北京炸酱面大王朝阳区三里屯太古里南区店';
    const read = await readPdf(await posterPdf({ name, city: '北京', payload: 'hello' }));
    expect(read.pages).toHaveLength(1);
    expect(read.pages[0]!.replace(/\n/g, '')).toContain(name);
  });
});
