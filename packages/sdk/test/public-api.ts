/**
 * The public API as the SDK sees it: the operations of the server's OpenAPI document that an API
 * key may call (their `security` lists `apiKey`), and the TypeScript types openapi-typescript makes
 * of them — the text committed as packages/sdk/src/openapi.ts. Used by the drift test only (it
 * needs the server and openapi-typescript, neither of which the SDK itself imports).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import type { OpenAPI3 } from 'openapi-typescript';
import * as prettier from 'prettier';

export const GENERATED_FILE = fileURLToPath(new URL('../src/openapi.ts', import.meta.url));
export const DRIFT_TEST_FILE = 'packages/sdk/test/drift.test.ts';
export const REGENERATE_COMMAND = `UPDATE_SDK=1 npx vitest run ${DRIFT_TEST_FILE}`;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;
type Method = (typeof METHODS)[number];
/** The security scheme of a merchant's API key (app.ts). */
const PUBLIC_SCHEME = 'apiKey';

interface Operation {
  security?: Record<string, string[]>[];
  [key: string]: unknown;
}
type PathItem = Partial<Record<Method, Operation>> & Record<string, unknown>;
interface Document {
  openapi: string;
  info: Record<string, unknown>;
  paths?: Record<string, PathItem>;
  components?: { securitySchemes?: Record<string, unknown>; [key: string]: unknown };
  [key: string]: unknown;
}

/** `GET /v1/me/merchant/orders/{merchantOrderId}`: an operation as the drift test names it. */
export function operationName(method: string, pathTemplate: string): string {
  return `${method.toUpperCase()} ${pathTemplate}`;
}

function isPublic(operation: Operation): boolean {
  return (operation.security ?? []).some((requirement) => PUBLIC_SCHEME in requirement);
}

/**
 * The document cut to the public operations: their paths only (each path with only its public
 * methods), their security reduced to the API key (the staff's session is not the SDK's business),
 * and the components they may refer to. Anything else a path item holds (shared parameters) stays.
 */
export function publicDocument(document: Document): Document {
  const paths: Record<string, PathItem> = {};
  for (const [pathTemplate, item] of Object.entries(document.paths ?? {})) {
    const kept: PathItem = {};
    for (const [key, value] of Object.entries(item)) {
      if (!(METHODS as readonly string[]).includes(key)) kept[key] = value;
    }
    let any = false;
    for (const method of METHODS) {
      const operation = item[method];
      if (operation && isPublic(operation)) {
        kept[method] = { ...operation, security: [{ [PUBLIC_SCHEME]: [] }] };
        any = true;
      }
    }
    if (any) paths[pathTemplate] = kept;
  }
  const components = { ...document.components };
  components.securitySchemes = { [PUBLIC_SCHEME]: document.components?.securitySchemes?.[PUBLIC_SCHEME] };
  return { openapi: document.openapi, info: document.info, components, paths };
}

/** Every public operation of the document, as `METHOD /path/{param}`, sorted. */
export function publicOperations(document: Document): string[] {
  const names: string[] = [];
  for (const [pathTemplate, item] of Object.entries(publicDocument(document).paths ?? {})) {
    for (const method of METHODS) if (item[method]) names.push(operationName(method, pathTemplate));
  }
  return names.sort();
}

const HEADER = `/**
 * GENERATED — do not edit. The types of the Qianbao public API: the operations of the server's
 * OpenAPI document (GET /openapi.json) whose security lists \`apiKey\`, turned into TypeScript by
 * openapi-typescript (packages/sdk/test/public-api.ts) and formatted by Prettier.
 *
 * The drift test (${DRIFT_TEST_FILE}) fails when this file no longer matches the
 * server. Regenerate it with:
 *
 *   ${REGENERATE_COMMAND}
 */
`;

/** The text of packages/sdk/src/openapi.ts for this (whole) server document. */
export async function generatedTypes(document: Document): Promise<string> {
  const ast = await openapiTS(publicDocument(document) as unknown as OpenAPI3, {
    // Deterministic output: the same document makes the same text, whatever the routes' order.
    alphabetize: true,
    silent: true,
  });
  const text = HEADER + '\n' + astToString(ast);
  const options = await prettier.resolveConfig(GENERATED_FILE);
  return prettier.format(text, { ...options, filepath: GENERATED_FILE });
}

export async function committedTypes(): Promise<string | null> {
  try {
    return await readFile(GENERATED_FILE, 'utf8');
  } catch {
    return null;
  }
}

/** A short account of how two texts differ: the first differing lines, for the failure message. */
export function firstDifference(expected: string, actual: string, context = 3): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const lines: string[] = [];
  for (let j = Math.max(0, i - context); j < i; j++) lines.push(`  ${a[j]}`);
  for (let j = i; j < Math.min(a.length, i + context); j++) lines.push(`- ${a[j]}`);
  for (let j = i; j < Math.min(b.length, i + context); j++) lines.push(`+ ${b[j]}`);
  return `first difference at line ${i + 1} (- committed, + the server now):\n${lines.join('\n')}`;
}

export const REPO_ROOT = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
