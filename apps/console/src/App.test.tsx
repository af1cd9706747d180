import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { TOKEN_KEY } from './api/session';
import { fakeServer, operationOf, renderAt } from './test-utils';

const gns = {
  id: 'g1',
  name: 'bookinfo',
  domain: 'bookinfo.lattice.local',
  description: 'demo',
  mtlsMode: 'STRICT',
  createdAt: '2026-01-01T00:00:00Z',
  matchConditions: [],
  status: {
    serviceCount: 5,
    memberNamespaces: [{ clusterId: 'c1', clusterName: 'east', namespace: 'bookinfo' }],
    conflicts: [],
    warnings: [],
  },
};

function server(role: 'viewer' | 'editor' | 'admin') {
  return fakeServer((url, init) => {
    const auth = (init.headers as Record<string, string>).Authorization;
    if (auth !== 'Bearer lat_good')
      return {
        status: 401,
        body: {
          statusCode: 401,
          error: 'Unauthorized',
          message: 'the token is not valid',
          requestId: 'req-123',
        },
      };
    if (url === '/console/session') return { body: { tenantId: 't1', tokenId: 'k1', tokenName: 'ci', role } };
    if (url === '/v1/tenant') return { body: { id: 't1', name: 'acme', createdAt: '2026-01-01T00:00:00Z' } };
    if (url === '/graphql') {
      const page = { endCursor: null, hasNextPage: false };
      switch (operationOf(init)) {
        case 'GlobalNamespaces':
          return { body: { data: { globalNamespaces: { pageInfo: page, nodes: [gns] } } } };
        case 'Clusters':
          return { body: { data: { clusters: { pageInfo: page, nodes: [] } } } };
      }
    }
    return { status: 404, body: { message: `no fake for ${url}` } };
  });
}

afterEach(() => vi.unstubAllGlobals());

describe('console app', () => {
  it('shows a refused sign-in with the server’s message and request id, then signs in and shows tenant and role', async () => {
    server('editor');
    renderAt(<App />);
    const input = screen.getByLabelText(/API token/);
    fireEvent.change(input, { target: { value: 'lat_bad' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const error = await screen.findByTestId('error');
    expect(error.textContent).toContain('the token is not valid');
    expect(error.textContent).toContain('request id req-123');
    expect(sessionStorage.getItem(TOKEN_KEY)).toBeNull();

    fireEvent.change(screen.getByLabelText(/API token/), { target: { value: 'lat_good' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByTestId('role')).textContent).toBe('editor');
    expect(screen.getByTestId('tenant').textContent).toContain('acme');
    expect(sessionStorage.getItem(TOKEN_KEY)).toBe('lat_good');
    expect(screen.queryByRole('link', { name: 'API tokens' })).toBeNull(); // admins only

    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    await screen.findByLabelText(/API token/);
    expect(sessionStorage.getItem(TOKEN_KEY)).toBeNull();
  });

  it.each([
    ['viewer', false],
    ['editor', true],
  ] as const)('a %s sees edit controls: %s', async (role, editable) => {
    server(role);
    sessionStorage.setItem(TOKEN_KEY, 'lat_good');
    renderAt(<App />, '/gns');
    await screen.findByRole('link', { name: 'bookinfo' });
    expect(screen.queryByRole('link', { name: 'Create Global Namespace' }) !== null).toBe(editable);
  });

  it('signs out when the server stops accepting the token', async () => {
    let valid = true;
    fakeServer((url) => {
      if (!valid) return { status: 401, body: { message: 'token revoked', requestId: 'r2' } };
      if (url === '/console/session')
        return { body: { tenantId: 't1', tokenId: 'k1', tokenName: 'ci', role: 'admin' } };
      if (url === '/v1/tenant') return { body: { id: 't1', name: 'acme' } };
      return { body: { data: { clusters: { pageInfo: { hasNextPage: false }, nodes: [] } } } };
    });
    sessionStorage.setItem(TOKEN_KEY, 'lat_x');
    renderAt(<App />, '/clusters');
    await screen.findByText('No cluster is registered yet.');
    valid = false;
    fireEvent.click(screen.getByRole('link', { name: 'Overview' }));
    await waitFor(() => expect(screen.getByLabelText(/API token/)).toBeTruthy());
  });
});
