import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSecretKey, resolveSecretKey, sandboxSecretKey } from './secret-key.ts';

const key = Buffer.alloc(32, 1);

describe('the master key of secrets at rest', () => {
  it('reads QIANBAO_SECRET_KEY as base64 of 32 bytes', () => {
    expect(parseSecretKey(key.toString('base64'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64url'))).toEqual(key);
    expect(parseSecretKey(Buffer.alloc(16).toString('base64'))).toBeNull();
    expect(parseSecretKey('not base64 at all, not at all, not at all!!!')).toBeNull();
  });

  it('makes a sandbox key once, owner-only, and keeps it', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'qianbao-key-'));
    try {
      const first = sandboxSecretKey(path.join(dataDir, 'nested'));
      expect(first.created).toBe(true);
      expect(statSync(first.file).mode & 0o777).toBe(0o600);
      const second = sandboxSecretKey(path.join(dataDir, 'nested'));
      expect(second).toEqual({ ...first, created: false });
      expect(parseSecretKey(readFileSync(first.file, 'utf8').trim())).toEqual(first.key);
      const lines: string[] = [];
      const resolved = resolveSecretKey(
        { mode: 'sandbox', secretKey: null, dataDir: path.join(dataDir, 'nested') },
        (line) => lines.push(line),
      );
      expect(resolved).toEqual(first.key);
      expect(lines.join('\n')).toContain('WARNING');
      expect(lines.join('\n')).not.toContain(first.key.toString('base64'));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('uses the configured key as it is, and never invents one in production', () => {
    expect(resolveSecretKey({ mode: 'production', secretKey: key, dataDir: '/nonexistent' }, () => {})).toBe(
      key,
    );
    expect(() =>
      resolveSecretKey({ mode: 'production', secretKey: null, dataDir: '/nonexistent' }, () => {}),
    ).toThrow();
  });
});
