/**
 * A holder's e-receipt of one movement of their wallet: the title, then one row per line (label
 * on the left, value on the right, a value too long for its column wrapping inside it) and a
 * footnote, on A4 with the brand at the top and the page number at the foot. Drawn with pdfkit
 * and the embedded, subset Noto Sans SC (../../pdf), so a masked name like `*明` shows in every
 * reader, not only in those that ship a Chinese font of their own.
 */
import {
  BRAND_NAME,
  BRAND_RED,
  FONTS,
  INK,
  MUTED,
  drawBrandLine,
  drawPageFooter,
  drawTable,
  printable,
  renderPdf,
} from '../../pdf/index.ts';

export interface ReceiptLine {
  label: string;
  value: string;
}

const MARGINS = { top: 56, bottom: 64, left: 56, right: 56 };
const CONTENT_WIDTH = 595.28 - MARGINS.left - MARGINS.right; // A4 portrait
const LABEL_WIDTH = 170;
const MAX_LINES = 40;
const MAX_TEXT_LENGTH = 200;

/**
 * The receipt as a PDF. `issuedAt` is its creation date (the movement's time gives the same
 * bytes for the same receipt; the current time when left out).
 */
export function receiptPdf(input: {
  title: string;
  lines: readonly ReceiptLine[];
  footer: string;
  issuedAt?: Date;
}): Promise<Buffer> {
  const title = printable(input.title, MAX_TEXT_LENGTH);
  return renderPdf(
    {
      title,
      subject: 'E-receipt 电子回单',
      createdAt: input.issuedAt ?? new Date(),
      size: 'A4',
      layout: 'portrait',
      margins: MARGINS,
      footer: (doc, page) =>
        drawPageFooter(doc, page, { margins: MARGINS, left: `${BRAND_NAME} · ${title}` }),
    },
    (doc) => {
      drawBrandLine(doc, { x: MARGINS.left, y: MARGINS.top, fontSize: 12 });
      doc.font(FONTS.bold).fontSize(20).fillColor(INK);
      doc.text(title, MARGINS.left, MARGINS.top + 36, { width: CONTENT_WIDTH });
      const ruleY = doc.y + 8;
      doc.save();
      doc
        .moveTo(MARGINS.left, ruleY)
        .lineTo(MARGINS.left + CONTENT_WIDTH, ruleY)
        .lineWidth(1.5)
        .stroke(BRAND_RED);
      doc.restore();
      doc.y = ruleY + 6;

      drawTable(doc, {
        x: MARGINS.left,
        columns: [
          { header: '', width: LABEL_WIDTH, color: MUTED },
          { header: '', width: CONTENT_WIDTH - LABEL_WIDTH },
        ],
        rows: input.lines.slice(0, MAX_LINES).map((line) => ({
          cells: [printable(line.label, MAX_TEXT_LENGTH), printable(line.value, MAX_TEXT_LENGTH)],
        })),
        fontSize: 10.5,
        padding: { x: 4, y: 9 },
      });

      doc.font(FONTS.regular).fontSize(8).fillColor(MUTED);
      doc.text(printable(input.footer, MAX_TEXT_LENGTH), MARGINS.left, doc.y + 18, { width: CONTENT_WIDTH });
    },
  );
}
