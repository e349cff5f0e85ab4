/**
 * The brand on paper: the colours of the apps (apps/web/src/brand.ts; the server cannot import
 * the web app, so they are repeated here) and the logo — a gold square-holed coin, the old 钱 that
 * gives the wallet its name, on bank red — drawn as vector shapes, so it is sharp when printed.
 */
import type { PdfDocument } from './document.ts';
import { FONTS } from './fonts.ts';

export const BRAND_RED = '#C8102E';
export const BRAND_RED_DARK = '#9E0B23';
export const GOLD = '#F7C65B';
export const GOLD_DARK = '#D9A23A';
export const INK = '#1F1F1F';
export const MUTED = '#6B6B6B';
export const RULE = '#D9D9D9';
export const SHADE = '#F5F5F5';

/** The name as it is printed: `钱包 Qianbao`. */
export const BRAND_NAME = '钱包 Qianbao';

/** The logo, `size` points square, its top-left corner at (x, y). */
export function drawLogo(doc: PdfDocument, at: { x: number; y: number; size: number }): void {
  const unit = at.size / 100; // the web logo's 100 × 100 view box
  const point = (value: number) => value * unit;
  doc.save();
  doc.translate(at.x, at.y);
  doc.roundedRect(0, 0, point(100), point(100), point(22)).fill(BRAND_RED);
  doc.circle(point(50), point(50), point(31)).fill(GOLD);
  doc.lineWidth(point(2.5));
  doc.circle(point(50), point(50), point(25)).stroke(GOLD_DARK);
  doc.roundedRect(point(36), point(36), point(28), point(28), point(3)).stroke(GOLD_DARK);
  doc.roundedRect(point(39), point(39), point(22), point(22), point(2.5)).fill(BRAND_RED);
  doc.restore();
}

/** The logo and `钱包 Qianbao` on one line, the logo 1.4 times the font size; returns the width used. */
export function drawBrandLine(
  doc: PdfDocument,
  at: { x: number; y: number; fontSize: number; color?: string },
): number {
  const logoSize = at.fontSize * 1.4;
  drawLogo(doc, { x: at.x, y: at.y, size: logoSize });
  const gap = at.fontSize * 0.5;
  doc
    .font(FONTS.bold)
    .fontSize(at.fontSize)
    .fillColor(at.color ?? BRAND_RED);
  const textY = at.y + (logoSize - doc.currentLineHeight()) / 2;
  doc.text(BRAND_NAME, at.x + logoSize + gap, textY, { lineBreak: false });
  return logoSize + gap + doc.widthOfString(BRAND_NAME);
}
