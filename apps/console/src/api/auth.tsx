import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { onUnauthenticated, rest } from './client';
import { forgetToken, storedToken, storeToken } from './session';

export type Role = 'admin' | 'editor' | 'viewer';

export interface Session {
  tenantId: string;
  tenantName: string;
  tokenName: string;
  role: Role;
}

interface AuthState {
  session: Session | null;
  /** Checking a stored token at start-up. */
  checking: boolean;
  signIn: (token: string) => Promise<void>;
  signOut: () => void;
  canEdit: boolean;
  isAdmin: boolean;
}

const AuthContext = createContext<AuthState | null>(null);

async function loadSession(): Promise<Session> {
  const [who, tenant] = await Promise.all([
    rest<{ tenantId: string; tokenName: string; role: Role }>('GET', '/console/session'),
    rest<{ id: string; name: string }>('GET', '/v1/tenant'),
  ]);
  return {
    tenantId: who.data.tenantId,
    tenantName: tenant.data.name,
    tokenName: who.data.tokenName,
    role: who.data.role,
  };
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [checking, setChecking] = useState(() => storedToken() !== null);

  const signOut = useCallback(() => {
    forgetToken();
    setSession(null);
  }, []);

  useEffect(() => onUnauthenticated(signOut), [signOut]);

  useEffect(() => {
    if (!storedToken()) return;
    loadSession()
      .then(setSession, () => forgetToken())
      .finally(() => setChecking(false));
  }, []);

  const signIn = useCallback(async (token: string) => {
    storeToken(token);
    try {
      setSession(await loadSession());
    } catch (error) {
      forgetToken();
      throw error;
    }
  }, []);

  const value = useMemo<AuthState>(
    () => ({
      session,
      checking,
      signIn,
      signOut,
      canEdit: session?.role === 'admin' || session?.role === 'editor',
      isAdmin: session?.role === 'admin',
    }),
    [session, checking, signIn, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth outside AuthProvider');
  return state;
}
