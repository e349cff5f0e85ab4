/**
 * Reading a PDF back in tests as a reader does, with pdf.js (Mozilla's reader, the legacy build
 * for Node): the text of each page, extracted through the embedded fonts' Unicode maps — what a
 * person sees and can copy, not bytes that happen to spell it — the document's metadata, and the
 * rectangles each path on a page fills (a QR code is drawn as one path of squares).
 */
import { OPS, getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface PdfRectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ReadBackPdf {
  /** Each page's text, its lines joined with '\n'. */
  pages: string[];
  /** Each page's size in points. */
  sizes: { width: number; height: number }[];
  info: Record<string, unknown>;
  /** Every path of rectangles on each page, in pdfkit's top-left coordinates (points). */
  rectanglePaths: PdfRectangle[][][];
}

export async function readPdf(pdf: Buffer): Promise<ReadBackPdf> {
  // A copy: pdf.js takes the array it is given over to its worker.
  const document = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, verbosity: 0 })
    .promise;
  try {
    const pages: string[] = [];
    const sizes: { width: number; height: number }[] = [];
    const rectanglePaths: PdfRectangle[][][] = [];
    for (let number = 1; number <= document.numPages; number += 1) {
      const page = await document.getPage(number);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        text += item.str + (item.hasEOL ? '\n' : '');
      }
      pages.push(text);
      const [left, bottom, right, top] = page.view as [number, number, number, number];
      sizes.push({ width: right - left, height: top - bottom });
      rectanglePaths.push(rectanglesOf(await page.getOperatorList()));
    }
    const { info } = await document.getMetadata();
    return { pages, sizes, info: info as Record<string, unknown>, rectanglePaths };
  } finally {
    await document.destroy();
  }
}

/**
 * The paths made of rectangles alone (`re` operators; pdf.js 4 gathers a path's operators and
 * their coordinates into one constructPath). Curves and lines are left out: only rectangles are
 * read back here.
 */
function rectanglesOf(list: { fnArray: number[]; argsArray: unknown[] }): PdfRectangle[][] {
  const paths: PdfRectangle[][] = [];
  list.fnArray.forEach((fn, index) => {
    if (fn !== OPS.constructPath) return;
    const [operators, coordinates] = list.argsArray[index] as [number[], number[]];
    if (!operators.every((operator) => operator === OPS.rectangle)) return;
    const rectangles: PdfRectangle[] = [];
    for (let at = 0; at + 4 <= coordinates.length; at += 4) {
      const [x, y, width, height] = coordinates.slice(at, at + 4) as [number, number, number, number];
      rectangles.push({ x, y, width, height });
    }
    paths.push(rectangles);
  });
  return paths;
}
