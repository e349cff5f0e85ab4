/**
 * The printable poster of a merchant's static QR code (issue 12, the merchant portal's "printable
 * QR poster"): A5 portrait, the brand band `钱包 Qianbao` at the top, the shop's name large, its
 * code, `扫一扫，向我付钱 · Scan to pay me` under it and the city, for the counter or the door.
 *
 * The code is drawn as vector squares — every dark module, one filled path — not as a picture, so
 * it stays sharp at any print size and a scanner reads it from across the counter. Its modules are
 * `qrcode`'s (error correction M, as on screen); `qrRectangles` is the pure part, tested against
 * that matrix. Drawn with pdfkit and the embedded, subset Noto Sans SC (../../pdf).
 */
import QRCode from 'qrcode';
import {
  BRAND_NAME,
  BRAND_RED,
  FONTS,
  GOLD,
  INK,
  MUTED,
  RULE,
  drawLogo,
  printable,
  renderPdf,
} from '../../pdf/index.ts';
import type { PdfDocument } from '../../pdf/index.ts';

/** A run of dark modules, in modules: column `x`, row `y`, from the code's top-left corner. */
export interface QrRectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The quiet zone a scanner needs around a code, in modules (ISO/IEC 18004). */
export const QR_QUIET_ZONE = 4;

/**
 * The dark modules of the QR code of `payload` as rectangles to fill: each row's runs of
 * adjacent dark modules merged into one rectangle (fewer, larger shapes: a smaller file, and no
 * hairline seams between neighbours in any reader). `size` is the code's width in modules,
 * without the quiet zone.
 */
export function qrRectangles(payload: string): { size: number; rectangles: QrRectangle[] } {
  const { modules } = QRCode.create(payload, { errorCorrectionLevel: 'M' });
  const { size } = modules;
  const rectangles: QrRectangle[] = [];
  for (let row = 0; row < size; row += 1) {
    let column = 0;
    while (column < size) {
      if (!modules.get(row, column)) {
        column += 1;
        continue;
      }
      const start = column;
      while (column < size && modules.get(row, column)) column += 1;
      rectangles.push({ x: start, y: row, width: column - start, height: 1 });
    }
  }
  return { size, rectangles };
}

const PAGE = { width: 419.53, height: 595.28 }; // A5 portrait, in points
const MARGIN = 32;
const BAND_HEIGHT = 92;
const QR_SIDE = 250; // the code with its quiet zone
const MAX_NAME_LENGTH = 40;
const MAX_CITY_LENGTH = 30;
export const POSTER_LINE = '扫一扫，向我付钱 · Scan to pay me';

/** The poster as a PDF; `payload` is the merchant's static code (merchantQrPayload). */
export function posterPdf(input: { name: string; city: string; payload: string }): Promise<Buffer> {
  const name = printable(input.name, MAX_NAME_LENGTH);
  const city = printable(input.city, MAX_CITY_LENGTH);
  const qr = qrRectangles(input.payload);
  return renderPdf(
    {
      title: `${name} 收款码 Payment QR code`,
      subject: 'Merchant QR poster 收款码海报',
      createdAt: new Date(),
      size: 'A5',
      layout: 'portrait',
      margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    },
    (doc) => {
      const width = PAGE.width - 2 * MARGIN;
      drawBand(doc);

      const nameSize = fitFontSize(doc, name, { width, maxLines: 2, largest: 30, smallest: 14 });
      doc.font(FONTS.bold).fontSize(nameSize).fillColor(INK);
      doc.text(name, MARGIN, BAND_HEIGHT + 22, { width, align: 'center' });

      const cardTop = Math.max(doc.y + 14, BAND_HEIGHT + 92);
      const cardX = (PAGE.width - QR_SIDE - 16) / 2;
      doc.save();
      doc
        .roundedRect(cardX, cardTop, QR_SIDE + 16, QR_SIDE + 16, 10)
        .lineWidth(1)
        .fillAndStroke('#FFFFFF', RULE);
      doc.restore();
      drawQr(doc, qr, { x: cardX + 8, y: cardTop + 8, side: QR_SIDE });

      doc.font(FONTS.bold).fontSize(15).fillColor(INK);
      doc.text(POSTER_LINE, MARGIN, cardTop + QR_SIDE + 16 + 18, { width, align: 'center' });
      doc.font(FONTS.regular).fontSize(11).fillColor(MUTED);
      doc.text(city, MARGIN, doc.y + 6, { width, align: 'center' });

      doc.save();
      doc.rect(0, PAGE.height - 14, PAGE.width, 14).fill(BRAND_RED);
      doc.restore();
    },
  );
}

/** The red band with the logo and `钱包 Qianbao` centred in white, a gold line under it. */
function drawBand(doc: PdfDocument): void {
  doc.save();
  doc.rect(0, 0, PAGE.width, BAND_HEIGHT).fill(BRAND_RED);
  doc.rect(0, BAND_HEIGHT, PAGE.width, 3).fill(GOLD);
  doc.restore();
  const fontSize = 22;
  const logoSize = 40;
  const gap = 10;
  doc.font(FONTS.bold).fontSize(fontSize);
  const textWidth = doc.widthOfString(BRAND_NAME);
  const left = (PAGE.width - logoSize - gap - textWidth) / 2;
  const logoTop = (BAND_HEIGHT - logoSize) / 2;
  drawLogo(doc, { x: left, y: logoTop, size: logoSize });
  doc.fillColor('#FFFFFF');
  doc.text(BRAND_NAME, left + logoSize + gap, logoTop + (logoSize - doc.currentLineHeight()) / 2, {
    lineBreak: false,
  });
}

/** The code's dark modules as one filled path, inside a `side`-point square with its quiet zone. */
function drawQr(
  doc: PdfDocument,
  qr: { size: number; rectangles: QrRectangle[] },
  at: { x: number; y: number; side: number },
): void {
  const module = at.side / (qr.size + 2 * QR_QUIET_ZONE);
  const originX = at.x + QR_QUIET_ZONE * module;
  const originY = at.y + QR_QUIET_ZONE * module;
  doc.save();
  for (const rectangle of qr.rectangles) {
    doc.rect(
      originX + rectangle.x * module,
      originY + rectangle.y * module,
      rectangle.width * module,
      rectangle.height * module,
    );
  }
  doc.fill('#000000');
  doc.restore();
}

/** The largest size from `largest` down to `smallest` at which `text` takes at most `maxLines`. */
function fitFontSize(
  doc: PdfDocument,
  text: string,
  fit: { width: number; maxLines: number; largest: number; smallest: number },
): number {
  doc.font(FONTS.bold);
  for (let size = fit.largest; size > fit.smallest; size -= 1) {
    doc.fontSize(size);
    if (doc.heightOfString(text, { width: fit.width }) <= fit.maxLines * doc.currentLineHeight(true) + 0.5) {
      return size;
    }
  }
  return fit.smallest;
}
