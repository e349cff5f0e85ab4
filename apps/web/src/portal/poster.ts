/**
 * The QR poster drawn in the browser: the merchant's static code, its name and "扫一扫，向我付钱 /
 * Scan to pay me" on the brand's red, as a PNG to print (A-series proportions, 1240 × 1754 px:
 * A5 at 210 dpi). The code is drawn module by module from its payload (the `qrcode` package's
 * matrix), so it is sharp at any size and the canvas never holds an image from elsewhere.
 */
import QRCode from 'qrcode';
import { BRAND_RED, BRAND_RED_DARK, GOLD, LOGO_SVG } from '../brand.ts';

export const POSTER_WIDTH = 1240;
export const POSTER_HEIGHT = 1754;

const FONT =
  "'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC', sans-serif";

export interface PosterText {
  merchantName: string;
  /** 扫一扫，向我付钱 */
  scanZh: string;
  /** Scan to pay me */
  scanEn: string;
  /** 钱包 Qianbao */
  brand: string;
  /** e.g. "支持钱包扫码付款 · Pay with the Qianbao app" */
  footer: string;
}

function loadImage(source: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error('the image did not load'));
    image.src = source;
  });
}

/** The longest font size (down from `size`) at which `text` fits in `width`. */
function fitFont(
  context: CanvasRenderingContext2D,
  text: string,
  weight: string,
  size: number,
  width: number,
): number {
  let fitted = size;
  for (; fitted > 24; fitted -= 4) {
    context.font = `${weight} ${fitted}px ${FONT}`;
    if (context.measureText(text).width <= width) break;
  }
  return fitted;
}

export async function drawPoster(
  canvas: HTMLCanvasElement,
  payload: string,
  text: PosterText,
): Promise<void> {
  canvas.width = POSTER_WIDTH;
  canvas.height = POSTER_HEIGHT;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2d canvas');
  // Chinese text needs its font loaded before it is measured and drawn.
  await document.fonts.ready;
  const W = POSTER_WIDTH;
  const H = POSTER_HEIGHT;

  // Background: the brand's red, darker at the foot.
  const background = context.createLinearGradient(0, 0, 0, H);
  background.addColorStop(0, BRAND_RED);
  background.addColorStop(1, BRAND_RED_DARK);
  context.fillStyle = background;
  context.fillRect(0, 0, W, H);

  // Brand line: the logo and 钱包 Qianbao.
  const logo = await loadImage(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(LOGO_SVG)}`);
  context.drawImage(logo, 90, 80, 110, 110);
  context.fillStyle = '#fff';
  context.textBaseline = 'middle';
  context.textAlign = 'left';
  context.font = `600 56px ${FONT}`;
  context.fillText(text.brand, 230, 136);

  // The white card.
  const cardX = 90;
  const cardY = 260;
  const cardW = W - 180;
  const cardH = 1250;
  context.fillStyle = '#fff';
  context.beginPath();
  context.roundRect(cardX, cardY, cardW, cardH, 40);
  context.fill();

  // The merchant's name, as large as fits.
  context.fillStyle = '#1c1c1e';
  context.textAlign = 'center';
  const nameSize = fitFont(context, text.merchantName, '700', 84, cardW - 120);
  context.font = `700 ${nameSize}px ${FONT}`;
  context.fillText(text.merchantName, W / 2, cardY + 130);

  // The code, module by module, with its quiet zone.
  const qr = QRCode.create(payload, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const side = 760;
  const module = Math.floor(side / (size + 8));
  const drawn = module * size;
  const left = Math.round((W - drawn) / 2);
  const top = cardY + 230 + Math.round((side - drawn) / 2);
  context.fillStyle = '#000';
  for (let row = 0; row < size; row += 1) {
    for (let column = 0; column < size; column += 1) {
      if (qr.modules.get(row, column))
        context.fillRect(left + column * module, top + row * module, module, module);
    }
  }

  // 扫一扫，向我付钱 / Scan to pay me.
  context.fillStyle = BRAND_RED;
  context.font = `700 ${fitFont(context, text.scanZh, '700', 76, cardW - 120)}px ${FONT}`;
  context.fillText(text.scanZh, W / 2, cardY + 1070);
  context.fillStyle = '#5f5f64';
  context.font = `500 ${fitFont(context, text.scanEn, '500', 48, cardW - 120)}px ${FONT}`;
  context.fillText(text.scanEn, W / 2, cardY + 1160);

  // The foot.
  context.fillStyle = GOLD;
  context.font = `500 ${fitFont(context, text.footer, '500', 40, W - 160)}px ${FONT}`;
  context.fillText(text.footer, W / 2, H - 140);
}

/** The canvas as a PNG file the browser saves. */
export function downloadCanvas(canvas: HTMLCanvasElement, fileName: string): Promise<void> {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => {
      if (!blob) {
        reject(new Error('the poster could not be made'));
        return;
      }
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName;
      document.body.append(link);
      link.click();
      link.remove();
      // The download has started from the link; the object URL is not needed after that.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      resolve();
    }, 'image/png');
  });
}
