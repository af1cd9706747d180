import { parseCpuMillicores, parseMemoryMiB, parseQuantity } from './quantity.util';

describe('Kubernetes quantities', () => {
  it('reads CPU as metrics-server reports it', () => {
    expect(parseCpuMillicores('250m')).toBeCloseTo(250);
    expect(parseCpuMillicores('1')).toBe(1000);
    expect(parseCpuMillicores('123456789n')).toBeCloseTo(123.456789);
    expect(parseCpuMillicores('1500u')).toBeCloseTo(1.5);
  });

  it('reads memory with binary and decimal suffixes', () => {
    expect(parseMemoryMiB('65536Ki')).toBe(64);
    expect(parseMemoryMiB('1Gi')).toBe(1024);
    expect(parseMemoryMiB('1048576')).toBe(1);
    expect(parseQuantity('1M')).toBe(1_000_000);
    expect(parseQuantity('1e3')).toBe(1000);
  });

  it('refuses what is not a quantity', () => {
    expect(() => parseQuantity('12 cores')).toThrow('not a Kubernetes quantity');
    expect(() => parseQuantity('')).toThrow();
  });
});
