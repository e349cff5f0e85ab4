export {
  BRAND_NAME,
  BRAND_RED,
  BRAND_RED_DARK,
  GOLD,
  GOLD_DARK,
  INK,
  MUTED,
  RULE,
  SHADE,
  drawBrandLine,
  drawLogo,
} from './brand.ts';
export { MAX_PAGES, type PageMargins, type PdfDocument, type PdfSettings, renderPdf } from './document.ts';
export { FONT_FILES, FONTS, type FontWeight, fontBytes } from './fonts.ts';
export { drawPageFooter, pageNumberText } from './page-footer.ts';
export { type TableColumn, type TableInput, type TableRow, drawTable } from './table.ts';
export { printable } from './text.ts';
