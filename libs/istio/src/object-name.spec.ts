import { MAX_OBJECT_NAME_LENGTH, objectName } from './object-name';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('objectName', () => {
  it('keeps a short valid name as it is', () => {
    expect(objectName('lattice-shop')).toBe('lattice-shop');
  });

  it('shortens a long name with a hash of the full name, deterministically', () => {
    const long = `lattice-${'a'.repeat(80)}`;
    const name = objectName(long);
    expect(name).toHaveLength(MAX_OBJECT_NAME_LENGTH);
    expect(name).toMatch(DNS_LABEL);
    expect(name).toMatch(/^lattice-a+-[0-9a-f]{8}$/);
    expect(objectName(long)).toBe(name);
    expect(objectName(`${long}b`)).not.toBe(name);
  });

  it('hashes by the identity when one is given, so equal readable parts still differ', () => {
    expect(objectName('lattice-a-b-c', 'g1/c')).not.toBe(objectName('lattice-a-b-c', 'g2/b-c'));
    expect(objectName('lattice-a-b-c', 'g1/c')).toMatch(/^lattice-a-b-c-[0-9a-f]{8}$/);
  });

  it('makes invalid characters safe and keeps names that differ only in them apart', () => {
    const upper = objectName('Lattice_Shop');
    expect(upper).toMatch(DNS_LABEL);
    expect(upper).toMatch(/^lattice-shop-[0-9a-f]{8}$/);
    expect(upper).not.toBe(objectName('lattice-shop'));
  });

  it('does not end the shortened part with a dash', () => {
    const name = objectName(`${'a'.repeat(53)}-${'b'.repeat(20)}`);
    expect(name).toMatch(DNS_LABEL);
    expect(name).not.toContain('--');
  });

  it('falls back to the hash alone when nothing readable is left', () => {
    expect(objectName('___')).toMatch(/^[0-9a-f]{8}$/);
  });
});
