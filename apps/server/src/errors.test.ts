import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, TRANSFER_FAILURES } from './errors.ts';

const DOCUMENT = readFileSync(new URL('../../../docs/api/errors.md', import.meta.url), 'utf8');

/** `| \`CODE\` | 422 | …` rows of docs/api/errors.md. */
function documentedStatuses(): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  for (const match of DOCUMENT.matchAll(/^\|\s*`([A-Z0-9_]+)`\s*\|\s*(\d{3})\s*\|/gm)) {
    rows.set(match[1]!, [...(rows.get(match[1]!) ?? []), Number(match[2])]);
  }
  return rows;
}

describe('error codes', () => {
  it('are all documented in docs/api/errors.md with their status', () => {
    const documented = documentedStatuses();
    const codes = [
      ...Object.entries(ERRORS).map(([code, mapping]) => [code, mapping.status] as const),
      ...Object.values(TRANSFER_FAILURES).map((failure) => [failure.code, failure.status] as const),
    ];
    const missing = codes.filter(([code, status]) => !documented.get(code)?.includes(status));
    expect(missing.map(([code, status]) => `${code} (${status})`)).toEqual([]);
  });

  it('keep one shape per code', () => {
    for (const [code, mapping] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(mapping.status).toBeGreaterThanOrEqual(400);
      expect(mapping.message.length).toBeGreaterThan(0);
    }
  });
});
