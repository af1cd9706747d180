import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { TOKEN_KEY } from '../api/session';
import { fakeServer, renderAt } from '../test-utils';
import { DeleteButton } from './DeleteButton';

afterEach(() => vi.unstubAllGlobals());

describe('DeleteButton', () => {
  it('deletes only after the dialog is confirmed', async () => {
    const calls = fakeServer(() => ({ status: 204, body: null }));
    const onDeleted = vi.fn();
    renderAt(<DeleteButton path="/v1/slos/s1" what='SLO "ratings"' onDeleted={onDeleted} />);
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('Delete SLO "ratings"?')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(calls).toHaveLength(0);

    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    fireEvent.click(await screen.findByTestId('confirm-delete'));
    await waitFor(() => expect(onDeleted).toHaveBeenCalledTimes(1));
    expect(calls.map((call) => call.url)).toEqual(['/v1/slos/s1']);
  });

  it('keeps the dialog open with the server’s refusal and its request id', async () => {
    fakeServer(() => ({
      status: 409,
      body: { statusCode: 409, error: 'Conflict', message: 'version 3 is stale', requestId: 'req-9' },
    }));
    const onDeleted = vi.fn();
    renderAt(<DeleteButton path="/v1/webhooks/w1" what='webhook "pager"' onDeleted={onDeleted} />);
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    fireEvent.click(await screen.findByTestId('confirm-delete'));
    const error = await screen.findByTestId('error');
    expect(error.textContent).toContain('version 3 is stale');
    expect(error.textContent).toContain('request id req-9');
    expect(onDeleted).not.toHaveBeenCalled();
  });

  it.each([
    ['viewer', false],
    ['editor', true],
  ] as const)('is offered on the webhooks page to a %s: %s', async (role, offered) => {
    fakeServer((url) => {
      if (url === '/console/session')
        return { body: { tenantId: 't1', tokenId: 'k1', tokenName: 'ci', role } };
      if (url === '/v1/tenant') return { body: { id: 't1', name: 'acme' } };
      if (url.startsWith('/v1/webhooks'))
        return {
          body: {
            items: [
              { id: 'w1', name: 'pager', url: 'https://hooks.example/p', eventTypes: [], enabled: true },
            ],
          },
        };
      return { status: 404, body: { message: `no fake for ${url}` } };
    });
    sessionStorage.setItem(TOKEN_KEY, 'lat_good');
    renderAt(<App />, '/webhooks');
    await screen.findByText('pager');
    expect(screen.queryByRole('button', { name: 'Delete' }) !== null).toBe(offered);
  });
});
