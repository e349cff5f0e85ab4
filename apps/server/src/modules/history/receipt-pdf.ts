/**
 * A one-page PDF receipt written by hand (PDF 1.4, no dependency): lines of text, Helvetica for
 * ASCII and the standard Chinese font STSong-Light (Adobe-GB1, not embedded: every PDF reader
 * ships it or a substitute) for lines with Chinese characters such as a masked name `*明`.
 * The whole file is ASCII, so byte offsets are string offsets.
 */

export interface ReceiptLine {
  label: string;
  value: string;
}

const PAGE_WIDTH = 595; // A4 in points
const PAGE_HEIGHT = 842;
const MAX_LINES = 40;
const MAX_TEXT_LENGTH = 200;

export function receiptPdf(input: { title: string; lines: readonly ReceiptLine[]; footer: string }): Buffer {
  const lines = input.lines.slice(0, MAX_LINES);
  const content: string[] = ['BT', `/F1 18 Tf 56 ${PAGE_HEIGHT - 72} Td`, `${textOperand(input.title)} Tj`];
  content.push('/F1 11 Tf 0 -36 Td');
  for (const line of lines) {
    content.push(`${fontFor(line.label)} 11 Tf ${textOperand(line.label)} Tj`);
    content.push(`180 0 Td ${fontFor(line.value)} 11 Tf ${textOperand(line.value)} Tj -180 -22 Td`);
  }
  content.push(`0 -20 Td ${fontFor(input.footer)} 8 Tf ${textOperand(input.footer)} Tj`, 'ET');
  const stream = content.join('\n');

  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] ` +
      '/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 8 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>',
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light ' +
      '/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 >>',
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] ' +
      '/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(pdf.length);
    pdf += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xrefAt = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

function isAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

function fontFor(text: string): string {
  return isAscii(clip(text)) ? '/F1' : '/F2';
}

/** A literal string for Helvetica, or UCS-2 hex for STSong-Light (characters beyond the BMP → ?). */
function textOperand(raw: string): string {
  const text = clip(raw);
  if (isAscii(text)) return `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;
  let hex = '';
  for (const character of text) {
    const code = character.codePointAt(0)!;
    const unit = code > 0xffff || code < 0x20 ? 0x3f : code;
    hex += unit.toString(16).padStart(4, '0');
  }
  return `<${hex}>`;
}

function clip(text: string): string {
  return [...text].slice(0, MAX_TEXT_LENGTH).join('');
}
