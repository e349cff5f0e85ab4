/**
 * The PWA parts of the build, without a PWA plugin package: the icons (drawn, see icons.ts), the
 * web app manifest, and the service worker with this build's app shell filled in.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';
import { BRAND_RED, LOGO_SVG } from '../src/brand.ts';
import { ICONS, iconPng } from './icons.ts';

const SERVICE_WORKER_SOURCE = new URL('./service-worker.js', import.meta.url);

export function manifest(): Record<string, unknown> {
  return {
    name: '钱包 Qianbao',
    short_name: '钱包',
    description: '安全便捷的数字钱包 · A safe, simple digital wallet',
    id: '/',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    orientation: 'portrait',
    lang: 'zh-CN',
    background_color: '#F5F5F7',
    theme_color: BRAND_RED,
    icons: [
      ...ICONS.filter((icon) => !icon.fileName.includes('apple')).map((icon) => ({
        src: `/${icon.fileName}`,
        sizes: `${icon.size}x${icon.size}`,
        type: 'image/png',
        purpose: icon.maskable ? 'maskable' : 'any',
      })),
      { src: '/favicon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
    ],
  };
}

/** The files that are not part of Vite's module graph: served in dev, emitted in the build. */
function staticFiles(): Map<string, { type: string; body: () => string | Buffer }> {
  const files = new Map<string, { type: string; body: () => string | Buffer }>();
  for (const icon of ICONS) files.set(icon.fileName, { type: 'image/png', body: () => iconPng(icon) });
  files.set('favicon.svg', { type: 'image/svg+xml', body: () => LOGO_SVG });
  files.set('manifest.webmanifest', {
    type: 'application/manifest+json',
    body: () => JSON.stringify(manifest(), null, 2),
  });
  return files;
}

export function qianbaoPwa(): Plugin {
  const files = staticFiles();
  return {
    name: 'qianbao-pwa',
    enforce: 'post',
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const file = files.get((request.url ?? '').split('?')[0]!.slice(1));
        if (!file) return next();
        response.setHeader('content-type', file.type);
        response.end(file.body());
      });
    },
    generateBundle(_options, bundle) {
      for (const [fileName, file] of files) this.emitFile({ type: 'asset', fileName, source: file.body() });
      const shell = ['/', ...[...files.keys()].map((name) => `/${name}`)];
      for (const fileName of Object.keys(bundle).sort()) {
        if (fileName === 'index.html' || fileName.endsWith('.map')) continue;
        shell.push(`/${fileName}`);
      }
      const index = bundle['index.html'];
      const indexSource = index?.type === 'asset' ? String(index.source) : '';
      const buildId = createHash('sha256')
        .update(shell.join('\n'))
        .update(indexSource)
        .digest('hex')
        .slice(0, 16);
      const source = fillIn(readFileSync(SERVICE_WORKER_SOURCE, 'utf8'), {
        "const BUILD_ID = '__QIANBAO_BUILD_ID__';": `const BUILD_ID = '${buildId}';`,
        'const SHELL_FILES = __QIANBAO_SHELL_FILES__;': `const SHELL_FILES = ${JSON.stringify(shell)};`,
      });
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}

function fillIn(template: string, replacements: Record<string, string>): string {
  let result = template;
  for (const [placeholder, value] of Object.entries(replacements)) {
    if (!result.includes(placeholder)) throw new Error(`service-worker.js lost its line ${placeholder}`);
    result = result.replace(placeholder, () => value);
  }
  return result;
}
