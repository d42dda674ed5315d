// How browsers reach this instance (GET /api/instance): the public URL that invite links are
// made from, and the TLS mode; in LAN mode, where students get the certificate authority.
import { useEffect, useState } from 'react';
import { api } from './api';

export interface Instance {
  publicUrl: string;
  tls: 'off' | 'acme' | 'lan';
  caUrl?: string;
  caFingerprint?: string;
  /** Anyone may register a host account: the app shows "register" links only then. */
  registrationOpen: boolean;
  /** The server has no administrator yet: the setup link in its log makes one. */
  needsSetup: boolean;
}

let pending: Promise<Instance> | null = null;

/** The instance, asked once per page load: undefined until it answers, null if that failed. */
export function useInstance(): Instance | null | undefined {
  const [instance, setInstance] = useState<Instance | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    pending ??= api<Instance>('GET', '/api/instance').catch((err: unknown) => {
      pending = null; // asked again by the next page
      throw err;
    });
    pending.then(
      (i) => live && setInstance(i),
      () => live && setInstance(null),
    );
    return () => {
      live = false;
    };
  }, []);
  return instance;
}

/** The base of links to pass on: the public URL, or this page's origin until it is known. */
export function publicBase(instance: Instance | null | undefined): string {
  return (instance?.publicUrl || window.location.origin).replace(/\/+$/, '');
}
