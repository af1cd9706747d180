import { clientIpOf, grpcPeerHost, trackerOf } from './rate-limit-key.util';

describe('trackerOf', () => {
  it('keys an authenticated request on its token id, whatever header spelling produced it', () => {
    const principal = {
      kind: 'token',
      tenantId: 't1',
      tokenId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      tokenName: 'ci',
      role: 'viewer',
    } as const;
    expect(trackerOf({ ip: '10.0.0.1', principal })).toBe('token:7c9e6679-7425-40de-944b-e07fc1f90ae7');
    expect(trackerOf({ ip: '10.0.0.2', principal })).toBe('token:7c9e6679-7425-40de-944b-e07fc1f90ae7');
  });

  it('keys the operator on one budget and anonymous requests on the client IP', () => {
    expect(trackerOf({ ip: '10.0.0.1', principal: { kind: 'operator' } })).toBe('operator');
    expect(trackerOf({ ip: '10.0.0.1' })).toBe('ip:10.0.0.1');
    expect(trackerOf({ ip: '::ffff:10.0.0.1' })).toBe('ip:10.0.0.1');
    expect(trackerOf({})).toBe('ip:unknown');
  });
});

describe('clientIpOf', () => {
  it('folds IPv4-mapped IPv6 addresses and keeps plain IPv6', () => {
    expect(clientIpOf({ ip: '::ffff:127.0.0.1' })).toBe('127.0.0.1');
    expect(clientIpOf({ ip: '::1' })).toBe('::1');
    expect(clientIpOf({ ip: '2001:db8::1' })).toBe('2001:db8::1');
  });
});

describe('grpcPeerHost', () => {
  it.each([
    ['ipv4:127.0.0.1:53412', '127.0.0.1'],
    ['127.0.0.1:53412', '127.0.0.1'],
    ['ipv6:[::1]:53412', '::1'],
    ['[::1]:53412', '::1'],
    ['ipv6:[::ffff:10.1.2.3]:1', '10.1.2.3'],
    ['unix:/tmp/sock', 'unix:/tmp/sock'],
  ])('takes the address of %p without its port', (peer, host) => {
    expect(grpcPeerHost(peer)).toBe(host);
  });
});
