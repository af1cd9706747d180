import { MantineProvider } from '@mantine/core';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { vi } from 'vitest';
import { theme } from './theme';

/** Renders inside the providers the console uses, at `path`. */
export function renderAt(ui: ReactElement, path = '/') {
  return render(
    <MantineProvider theme={theme}>
      <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>
    </MantineProvider>,
  );
}

type Handler = (
  url: string,
  init: RequestInit,
) => { status?: number; body: unknown; headers?: Record<string, string> };

/** A fake server: `fetch` answers from `handler` (by URL and GraphQL operation name). */
export function fakeServer(handler: Handler) {
  const calls: { url: string; body: string | undefined; headers: Record<string, string> }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit = {}) => {
      calls.push({
        url,
        body: init.body as string | undefined,
        headers: (init.headers ?? {}) as Record<string, string>,
      });
      const answer = handler(url, init);
      // A 204 has no body (the Response constructor refuses one).
      return new Response(answer.status === 204 ? null : JSON.stringify(answer.body), {
        status: answer.status ?? 200,
        headers: { 'content-type': 'application/json', ...(answer.headers ?? {}) },
      });
    }),
  );
  return calls;
}

export function operationOf(init: RequestInit): string {
  const body = JSON.parse(String(init.body ?? '{}')) as { query?: string };
  return /(?:query|mutation)\s+(\w+)/.exec(body.query ?? '')?.[1] ?? '';
}
