/**
 * Reading QR codes from the camera or a picture in every browser the app supports: the
 * browser's own `BarcodeDetector` where it exists (Chrome on Android and macOS, Edge), else the
 * ZXing decoder in JavaScript (@zxing/browser; iOS Safari, Firefox, desktop Linux, and any
 * browser whose detector is missing or refuses QR codes). ZXing is loaded only when needed, so
 * the rest of the app does not carry it.
 */

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: ImageBitmapSource): Promise<DetectedBarcode[]>;
}
interface BarcodeDetectorClass {
  new (options: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats?: () => Promise<string[]>;
}

/** What can be read: a playing `<video>` (camera frames) or a decoded picture. */
export type QrSource = HTMLVideoElement | ImageBitmap;

export interface QrReader {
  /** `native` or `zxing`, for tests and diagnostics. */
  readonly kind: 'native' | 'zxing';
  /** The text of the first QR code in the source, or null when there is none (yet). */
  read(source: QrSource): Promise<string | null>;
}

/** Larger pictures are scaled down first: a phone photo is 12 megapixels, a QR code needs far fewer. */
const MAX_SIDE_PX = 1600;

async function nativeReader(): Promise<QrReader | null> {
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (!Detector) return null;
  try {
    const formats = Detector.getSupportedFormats ? await Detector.getSupportedFormats() : ['qr_code'];
    if (!formats.includes('qr_code')) return null;
    const detector = new Detector({ formats: ['qr_code'] });
    return {
      kind: 'native',
      async read(source) {
        const found = await detector.detect(source);
        return found[0]?.rawValue ?? null;
      },
    };
  } catch {
    return null;
  }
}

async function zxingReader(): Promise<QrReader> {
  const [{ BrowserQRCodeReader }, { DecodeHintType, NotFoundException, ChecksumException, FormatException }] =
    await Promise.all([import('@zxing/browser'), import('@zxing/library')]);
  // TRY_HARDER: photos are often small, tilted or low in contrast; the cost is a few milliseconds.
  const hints = new Map<number, unknown>([[DecodeHintType.TRY_HARDER, true]]);
  const reader = new BrowserQRCodeReader(hints);
  // A clean picture of a code (a screenshot, a saved image) that the finder misses: ZXing's
  // detector misreads about 1 in 20 of our receive codes drawn at 480 px (measured: 18 of 400
  // random ones), while reading it as a pure barcode finds every one. Tried only when the first
  // read found nothing; a checksum still guards what it answers.
  const pure = new BrowserQRCodeReader(
    new Map<number, unknown>([
      [DecodeHintType.TRY_HARDER, true],
      [DecodeHintType.PURE_BARCODE, true],
    ]),
  );
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  return {
    kind: 'zxing',
    read(source) {
      const width = source instanceof HTMLVideoElement ? source.videoWidth : source.width;
      const height = source instanceof HTMLVideoElement ? source.videoHeight : source.height;
      if (!context || width === 0 || height === 0) return Promise.resolve(null);
      const scale = Math.min(1, MAX_SIDE_PX / Math.max(width, height));
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      // A white background: transparent pixels of a PNG would read as black.
      context.fillStyle = '#fff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(source, 0, 0, canvas.width, canvas.height);
      // No code in this frame (or one too damaged to read) is an answer, not a failure.
      const noCode = (error: unknown) =>
        error instanceof NotFoundException ||
        error instanceof ChecksumException ||
        error instanceof FormatException;
      try {
        return Promise.resolve(reader.decodeFromCanvas(canvas).getText());
      } catch (error) {
        if (!noCode(error)) return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      try {
        return Promise.resolve(pure.decodeFromCanvas(canvas).getText());
      } catch (error) {
        if (noCode(error)) return Promise.resolve(null);
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}

let shared: Promise<QrReader> | undefined;

/** The reader of this browser (made once). */
export function qrReader(): Promise<QrReader> {
  shared ??= nativeReader().then((native) => native ?? zxingReader());
  // A failed load (offline before the decoder was fetched) is tried again next time.
  shared.catch(() => (shared = undefined));
  return shared;
}

/** Whether this browser can show the camera at all (a secure page with a camera API). */
export function cameraAvailable(): boolean {
  return typeof navigator !== 'undefined' && navigator.mediaDevices?.getUserMedia !== undefined;
}

/**
 * Show the back camera in `video` and read a frame every 300 ms until `accept` takes a text
 * (answers true) or the returned function stops it; `denied` when there is no camera to use.
 * The screens that scan (扫一扫, the shop's till) run it from an effect and stop it on cleanup.
 */
export function scanWithCamera(
  video: HTMLVideoElement,
  accept: (text: string) => boolean,
  denied: () => void,
): () => void {
  let stream: MediaStream | null = null;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reading = qrReader();
  const tick = async () => {
    if (stopped) return;
    try {
      const text = await (await reading).read(video);
      if (stopped) return;
      if (text !== null && accept(text)) return;
    } catch {
      // The frame was not ready; try the next one.
    }
    timer = setTimeout(() => void tick(), 300);
  };
  navigator.mediaDevices
    .getUserMedia({ video: { facingMode: 'environment' } })
    .then(async (media) => {
      stream = media;
      if (stopped) return;
      video.srcObject = media;
      await video.play();
      void tick();
    })
    .catch(() => {
      if (!stopped) denied();
    });
  return () => {
    stopped = true;
    clearTimeout(timer);
    stream?.getTracks().forEach((track) => track.stop());
  };
}
