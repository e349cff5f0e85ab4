/**
 * Rows in columns, the way a bank prints a list of movements: a shaded heading row, hairlines
 * between rows, amounts right-aligned, a cell's text wrapping inside its column (a long order
 * number takes two lines rather than running into the next cell). A row that does not fit on the
 * page starts a new one, where the caller's `onNewPage` draws the page heading again and the
 * table's heading row is repeated, so every page reads on its own.
 */
import { INK, MUTED, RULE, SHADE } from './brand.ts';
import type { PdfDocument } from './document.ts';
import { FONTS } from './fonts.ts';

export interface TableColumn {
  /** The heading cell; the table has no heading row when every column's header is empty. */
  header: string;
  width: number;
  align?: 'left' | 'right';
  /** The colour of this column's text (the labels of a receipt are muted). */
  color?: string;
}

export interface TableRow {
  cells: readonly string[];
  bold?: boolean;
}

export interface TableInput {
  x: number;
  columns: readonly TableColumn[];
  rows: readonly TableRow[];
  fontSize: number;
  /** Space left and right of a cell's text, and above and below it. */
  padding: { x: number; y: number };
  /** Shade every other row, as long lists do. */
  striped?: boolean;
  /** Draws what starts every page after the first (the heading) and leaves `doc.y` below it. */
  onNewPage?: (doc: PdfDocument) => void;
}

/** Draws the table from `doc.y` down, across pages as needed; leaves `doc.y` below its last row. */
export function drawTable(doc: PdfDocument, table: TableInput): void {
  const width = table.columns.reduce((total, column) => total + column.width, 0);
  const hasHeading = table.columns.some((column) => column.header !== '');
  const bottom = () => doc.page.height - doc.page.margins.bottom;

  const heading = () => {
    const cells = table.columns.map((column) => column.header);
    const height = rowHeight(doc, table, cells, true);
    const top = doc.y;
    doc.save();
    doc.rect(table.x, top, width, height).fill(SHADE);
    doc.restore();
    drawCells(doc, table, { cells, bold: true }, top, MUTED);
    doc.y = top + height;
    rule(doc, table.x, width, doc.y, 0.8, MUTED);
  };

  if (hasHeading) heading();
  table.rows.forEach((row, index) => {
    const height = rowHeight(doc, table, row.cells, row.bold === true);
    if (doc.y + height > bottom()) {
      doc.addPage();
      doc.y = doc.page.margins.top;
      table.onNewPage?.(doc);
      if (hasHeading) heading();
    }
    const top = doc.y;
    if (table.striped && index % 2 === 1) {
      doc.save();
      doc.rect(table.x, top, width, height).fill('#FAFAFA');
      doc.restore();
    }
    drawCells(doc, table, row, top);
    doc.y = top + height;
    rule(doc, table.x, width, doc.y, 0.4, RULE);
  });
  doc.x = table.x;
}

function rowHeight(doc: PdfDocument, table: TableInput, cells: readonly string[], bold: boolean): number {
  doc.font(bold ? FONTS.bold : FONTS.regular).fontSize(table.fontSize);
  let tallest = doc.currentLineHeight(true);
  table.columns.forEach((column, index) => {
    const text = cells[index] ?? '';
    if (text === '') return;
    tallest = Math.max(tallest, doc.heightOfString(text, { width: column.width - 2 * table.padding.x }));
  });
  return tallest + 2 * table.padding.y;
}

function drawCells(doc: PdfDocument, table: TableInput, row: TableRow, top: number, color?: string): void {
  let x = table.x;
  table.columns.forEach((column, index) => {
    const text = row.cells[index] ?? '';
    if (text !== '') {
      doc
        .font(row.bold ? FONTS.bold : FONTS.regular)
        .fontSize(table.fontSize)
        .fillColor(color ?? column.color ?? INK);
      doc.text(text, x + table.padding.x, top + table.padding.y, {
        width: column.width - 2 * table.padding.x,
        align: column.align ?? 'left',
      });
    }
    x += column.width;
  });
}

function rule(doc: PdfDocument, x: number, width: number, y: number, lineWidth: number, color: string): void {
  doc.save();
  doc
    .moveTo(x, y)
    .lineTo(x + width, y)
    .lineWidth(lineWidth)
    .stroke(color);
  doc.restore();
}
