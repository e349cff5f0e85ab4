/**
 * A PDF document with the wallet's font, made in memory: pdfkit (engineering guide, "PDF": a
 * library, no hand-written PDF operators) with Noto Sans SC embedded and subset (./fonts.ts), the
 * document's metadata filled in, and the finished file handed back as one `Buffer`.
 *
 * pdfkit writes as a stream; `renderPdf` collects it. Pages are buffered, so a footer that needs
 * the page count ("第 1/3 页 · Page 1 of 3", ./page-footer.ts) is drawn on every page after the
 * content, when the count is known. The creation date comes from the data (the statement's time,
 * the movement's time), and pdfkit derives the file's ID from the metadata, so the same input gives
 * the same bytes.
 */
import PDFDocument from 'pdfkit';
import { FONTS, fontBytes } from './fonts.ts';

export type PdfDocument = PDFKit.PDFDocument;

export interface PageMargins {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export interface PdfSettings {
  /** The document's title, shown by readers in their title bar. */
  title: string;
  subject?: string;
  /** The document's creation date: from the data where there is one, so output is reproducible. */
  createdAt: Date;
  size: 'A4' | 'A5';
  layout: 'portrait' | 'landscape';
  margins: PageMargins;
  /**
   * Drawn on every page once the content is done (page numbers need the count). It may write
   * inside the bottom margin: the margin is lifted while it draws.
   */
  footer?: (doc: PdfDocument, page: { number: number; count: number }) => void;
}

/** More pages than this is a runaway layout, not a document: fail rather than fill the memory. */
export const MAX_PAGES = 2_000;

/**
 * Builds a document with `build` and resolves to the whole file. `build` draws synchronously;
 * the current font is the regular weight at 10 pt, the bold one is `FONTS.bold`.
 */
export function renderPdf(settings: PdfSettings, build: (doc: PdfDocument) => void): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const doc = new PDFDocument({
      size: settings.size,
      layout: settings.layout,
      margins: settings.margins,
      bufferPages: true,
      pdfVersion: '1.7',
      lang: 'zh-CN',
      displayTitle: true,
      // No default font: pdfkit would otherwise load Helvetica and write it into every file.
      font: '',
      info: {
        Title: settings.title,
        Author: 'Qianbao',
        Creator: 'Qianbao',
        ...(settings.subject ? { Subject: settings.subject } : {}),
        CreationDate: settings.createdAt,
        ModDate: settings.createdAt,
      },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    try {
      doc.registerFont(FONTS.regular, fontBytes('regular'));
      doc.registerFont(FONTS.bold, fontBytes('bold'));
      doc.font(FONTS.regular).fontSize(10);
      build(doc);
      const { start, count } = doc.bufferedPageRange();
      if (count > MAX_PAGES) throw new Error(`a PDF of ${count} pages (at most ${MAX_PAGES})`);
      if (settings.footer) {
        for (let index = 0; index < count; index += 1) {
          doc.switchToPage(start + index);
          const bottom = doc.page.margins.bottom;
          doc.page.margins.bottom = 0; // text below the margin would otherwise start a new page
          settings.footer(doc, { number: index + 1, count });
          doc.page.margins.bottom = bottom;
        }
      }
      doc.end();
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
