// The signed-in user (or null), loaded once from /api/auth/me. Only a 401 means "not signed
// in": any other failure (the server unavailable, no network) is kept as `error`, with `retry`.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError } from './api';
import type { User } from './types';

interface Auth {
  user: User | null;
  loading: boolean;
  error: ApiError | null;
  retry: () => void;
  setUser: (user: User | null) => void;
  logout: () => Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);

  const load = useCallback(() => {
    setLoading(true);
    setError(null);
    api<User>('GET', '/api/auth/me')
      .then(setUser)
      .catch((err: ApiError) => {
        if (err.status !== 401) setError(err);
      })
      .finally(() => setLoading(false));
  }, []);

  useEffect(load, [load]);

  const logout = useCallback(async () => {
    await api('POST', '/api/auth/logout');
    setUser(null);
  }, []);

  const value = useMemo(
    () => ({ user, loading, error, retry: load, setUser, logout }),
    [user, loading, error, load, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
