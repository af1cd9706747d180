/**
 * The API token the console signs in with lives in this tab's sessionStorage only: it is gone when
 * the tab closes, and it is never written to localStorage, a cookie or the URL.
 */
export const TOKEN_KEY = 'lattice.console.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/**
 * One-click sign-in (`npm run demo` prints `/console/#token=…`): the token moves from the address
 * fragment (never sent to the server) into sessionStorage, and the fragment is removed from the
 * address bar and the history entry at once. Returns whether a token was taken.
 */
export function takeTokenFromFragment(
  location: Location = window.location,
  history: History = window.history,
): boolean {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!match) return false;
  const token = decodeURIComponent(match[1]!).trim();
  history.replaceState(history.state, '', location.pathname + location.search);
  if (token === '') return false;
  storeToken(token);
  return true;
}
