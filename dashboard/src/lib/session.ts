import { useSyncExternalStore } from 'react';
import { getSession, subscribe, type Session } from './auth';

export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, getSession);
}

export function useIsAdmin(): boolean {
  return useSession()?.user.role === 'admin';
}
