/**
 * The console's routes: paths hold ids only (a referral's, a session's), never a name or anything else about
 * a patient, so nothing identifying lands in browser history, logs or a shared link.
 */
import { useSyncExternalStore } from 'react';

const subscribe = (listener: () => void) => {
  window.addEventListener('popstate', listener);
  return () => window.removeEventListener('popstate', listener);
};

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export function navigate(path: string): void {
  if (path === window.location.pathname) return;
  window.history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
  // Move focus to the new screen's heading, as a screen reader user expects after following a link.
  requestAnimationFrame(() => document.querySelector<HTMLElement>('main h1')?.focus());
}

/** The route's parameters when `path` matches `pattern` (":name" segments), else null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i]!.startsWith(':')) params[want[i]!.slice(1)] = decodeURIComponent(got[i]!);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}
