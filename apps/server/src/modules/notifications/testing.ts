/** Test helpers of the live channel's streams (server-sent events). Imported by tests only. */
import type { ReadableStreamReadResult } from 'node:stream/web';
import { expect } from 'vitest';

export interface StreamEvent {
  event: string;
  data: unknown;
}

/**
 * Open a server-sent event stream over real HTTP and read its events until `until` says stop or
 * `timeoutMs` runs out. `onOpen` runs once the `ready` event came (what the test does while the
 * stream listens). `endedByServer`: the server closed it.
 */
export async function readEvents(
  url: string,
  headers: Record<string, string>,
  options: {
    timeoutMs: number;
    until: (events: StreamEvent[]) => boolean;
    onOpen?: () => Promise<void>;
  },
): Promise<{ events: StreamEvent[]; endedByServer: boolean }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  const events: StreamEvent[] = [];
  let endedByServer = false;
  try {
    const response = await fetch(url, { headers, signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let opened = false;
    for (;;) {
      const { value, done } = (await reader.read()) as ReadableStreamReadResult<Uint8Array>;
      if (done) {
        endedByServer = true;
        break;
      }
      buffer += decoder.decode(value, { stream: true });
      let boundary: number;
      while ((boundary = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) as unknown });
      }
      if (!opened && events.some((e) => e.event === 'ready')) {
        opened = true;
        await options.onOpen?.();
      }
      if (options.until(events)) break;
    }
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { events, endedByServer };
}
