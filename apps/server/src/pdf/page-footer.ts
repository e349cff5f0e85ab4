/**
 * The foot of every page of a document: a hairline, what the document is on the left, and the
 * page number on the right in both languages, `第 1/3 页 · Page 1 of 3`.
 */
import { MUTED, RULE } from './brand.ts';
import type { PdfDocument } from './document.ts';
import { FONTS } from './fonts.ts';

export function pageNumberText(page: { number: number; count: number }): string {
  return `第 ${page.number}/${page.count} 页 · Page ${page.number} of ${page.count}`;
}

/** Draws the footer inside the page's bottom margin (renderPdf lifts the margin while it runs). */
export function drawPageFooter(
  doc: PdfDocument,
  page: { number: number; count: number },
  options: { margins: { bottom: number; left: number; right: number }; left?: string },
): void {
  const { margins } = options;
  const width = doc.page.width - margins.left - margins.right;
  const lineY = doc.page.height - margins.bottom + 12;
  doc.save();
  doc
    .moveTo(margins.left, lineY)
    .lineTo(margins.left + width, lineY)
    .lineWidth(0.5)
    .stroke(RULE);
  doc.restore();
  doc.font(FONTS.regular).fontSize(7.5).fillColor(MUTED);
  const textY = lineY + 5;
  if (options.left) {
    doc.text(options.left, margins.left, textY, { width: width * 0.65, lineBreak: false, ellipsis: true });
  }
  doc.text(pageNumberText(page), margins.left, textY, { width, align: 'right', lineBreak: false });
}
