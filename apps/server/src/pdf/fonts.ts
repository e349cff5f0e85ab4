/**
 * The one typeface of every PDF the server writes: Noto Sans SC (Google and Adobe's Source Han
 * Sans for Simplified Chinese), regular and bold, as static TrueType files from the npm package
 * `@expo-google-fonts/noto-sans-sc` (fonts under the SIL Open Font License 1.1, the package's code
 * MIT). It carries Latin, digits, ¥ and punctuation as well as Chinese, so one font draws a
 * whole line like `李记面馆 商户日结单 Daily statement` and no reader has to substitute a font of
 * its own: a PDF that named a standard Chinese font without embedding it showed blanks where the
 * reader had none.
 *
 * pdfkit embeds only the glyphs a document uses (a subset of a few kilobytes out of the 10 MB
 * file), so a receipt stays small. The files are found through Node's module resolution, so they
 * are wherever `npm install` put them, in any checkout directory; a missing package fails at
 * start-up, not at the first download.
 *
 * Why this package: Debian's fonts-noto-cjk is not installed by `npm install` (a new CI machine
 * lacks it) and ships OpenType collections; the web-font packages (@fontsource/noto-sans-sc,
 * noto-sans-cjk-sc) cut the font into hundreds of WOFF2 slices by Unicode range, which cannot be
 * embedded as one font. The price: the package holds all nine weights, about 96 MB unpacked in
 * node_modules, of which two files are read.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const PACKAGE = '@expo-google-fonts/noto-sans-sc';
const resolve = createRequire(import.meta.url).resolve;

/** Where the TrueType files are (absolute paths). */
export const FONT_FILES = {
  regular: resolve(`${PACKAGE}/400Regular/NotoSansSC_400Regular.ttf`),
  bold: resolve(`${PACKAGE}/700Bold/NotoSansSC_700Bold.ttf`),
} as const;

export type FontWeight = keyof typeof FONT_FILES;

/** The names the fonts are registered under in every document (`doc.font(FONTS.bold)`). */
export const FONTS: Record<FontWeight, string> = {
  regular: 'NotoSansSC-Regular',
  bold: 'NotoSansSC-Bold',
};

const loaded = new Map<FontWeight, Buffer>();

/** The font file's bytes, read once per process (each is about 10 MB; documents share them). */
export function fontBytes(weight: FontWeight): Buffer {
  let bytes = loaded.get(weight);
  if (!bytes) {
    bytes = readFileSync(FONT_FILES[weight]);
    loaded.set(weight, bytes);
  }
  return bytes;
}
