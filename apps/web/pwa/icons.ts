/**
 * The app icons, drawn at build time from the shapes of the logo (src/brand.ts): drawing them
 * keeps binary files out of the repository and every size sharp. Runs in Node (Vite), not in the
 * browser.
 */
import { deflateSync } from 'node:zlib';
import { BRAND_RED, BRAND_RED_DARK, GOLD, GOLD_DARK } from '../src/brand.ts';

export interface IconSpec {
  fileName: string;
  size: number;
  /** Maskable icons fill the whole square: the platform cuts its own shape out of the middle 80 %. */
  maskable: boolean;
}

export const ICONS: readonly IconSpec[] = [
  { fileName: 'icons/icon-192.png', size: 192, maskable: false },
  { fileName: 'icons/icon-512.png', size: 512, maskable: false },
  { fileName: 'icons/maskable-512.png', size: 512, maskable: true },
  { fileName: 'icons/apple-touch-icon.png', size: 180, maskable: true },
];

type Rgb = readonly [number, number, number];

interface Layer {
  color: (y: number) => Rgb;
  /** Signed distance from the shape's edge, in pixels: negative inside. */
  distance: (x: number, y: number) => number;
}

function hex(color: string): Rgb {
  const value = Number.parseInt(color.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

function roundedSquare(centre: number, half: number, radius: number) {
  return (x: number, y: number) => {
    const qx = Math.abs(x - centre) - half + radius;
    const qy = Math.abs(y - centre) - half + radius;
    const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
    return outside + Math.min(Math.max(qx, qy), 0) - radius;
  };
}

function circle(centre: number, radius: number) {
  return (x: number, y: number) => Math.hypot(x - centre, y - centre) - radius;
}

function ring(centre: number, radius: number, width: number) {
  return (x: number, y: number) => Math.abs(Math.hypot(x - centre, y - centre) - radius) - width / 2;
}

/** Renders one icon as RGBA pixels, anti-aliased by the distance to each edge. */
function render(size: number, maskable: boolean): Uint8Array {
  const scale = size / 100;
  const c = 50 * scale;
  // A maskable icon keeps the coin inside the 80 % safe zone; the plain icon can fill more of it.
  const coin = (maskable ? 27 : 31) * scale;
  const red = hex(BRAND_RED);
  const redDark = hex(BRAND_RED_DARK);
  const gradient = (y: number): Rgb => {
    const t = y / size;
    const mix = (i: 0 | 1 | 2) => red[i] + (redDark[i] - red[i]) * t;
    return [mix(0), mix(1), mix(2)];
  };
  const layers: Layer[] = [
    {
      color: gradient,
      distance: maskable ? () => -size : roundedSquare(c, c, 22 * scale),
    },
    { color: () => hex(GOLD), distance: circle(c, coin) },
    { color: () => hex(GOLD_DARK), distance: ring(c, coin * (25 / 31), 2.5 * scale) },
    {
      color: () => hex(GOLD_DARK),
      distance: (x, y) => Math.abs(roundedSquare(c, coin * (14 / 31), 3 * scale)(x, y)) - 1.25 * scale,
    },
    { color: () => red, distance: roundedSquare(c, coin * (11 / 31), 2.5 * scale) },
  ];
  const pixels = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (const layer of layers) {
        const coverage = Math.min(Math.max(0.5 - layer.distance(x + 0.5, y + 0.5), 0), 1);
        if (coverage === 0) continue;
        const [lr, lg, lb] = layer.color(y);
        // "over" compositing; r, g, b are premultiplied by a
        r = lr * coverage + r * (1 - coverage);
        g = lg * coverage + g * (1 - coverage);
        b = lb * coverage + b * (1 - coverage);
        a = coverage + a * (1 - coverage);
      }
      const at = (y * size + x) * 4;
      pixels[at] = a === 0 ? 0 : Math.round(r / a);
      pixels[at + 1] = a === 0 ? 0 : Math.round(g / a);
      pixels[at + 2] = a === 0 ? 0 : Math.round(b / a);
      pixels[at + 3] = Math.round(a * 255);
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG file (8-bit RGBA, no filtering) of the icon. */
export function iconPng(spec: Pick<IconSpec, 'size' | 'maskable'>): Buffer {
  const { size } = spec;
  const pixels = render(size, spec.maskable);
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0; // filter type: none
    rows.set(pixels.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
