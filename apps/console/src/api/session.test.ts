import { describe, expect, it } from 'vitest';
import { storedToken, takeTokenFromFragment, TOKEN_KEY } from './session';

describe('takeTokenFromFragment', () => {
  it('moves #token=… into sessionStorage and strips it from the address and history entry', () => {
    window.history.replaceState(null, '', '/console/gns?x=1#token=lat_abc%2Bdef');
    expect(takeTokenFromFragment()).toBe(true);
    expect(sessionStorage.getItem(TOKEN_KEY)).toBe('lat_abc+def');
    expect(window.location.href).toBe(`${window.location.origin}/console/gns?x=1`);
  });

  it('leaves other fragments and an empty token alone', () => {
    window.history.replaceState(null, '', '/console/#section');
    expect(takeTokenFromFragment()).toBe(false);
    expect(window.location.hash).toBe('#section');
    window.history.replaceState(null, '', '/console/#token=');
    expect(takeTokenFromFragment()).toBe(false);
    expect(storedToken()).toBeNull();
  });
});
