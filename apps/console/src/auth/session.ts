/**
 * The signed-in person's access token: in session storage only (gone when the tab closes; never a cookie,
 * never local storage), and read from its claims here only to shape the screens. The services decide what
 * the token may do; the console never trusts its own reading for access.
 */
export interface Session {
  readonly token: string;
  readonly subject: string;
  readonly roles: readonly string[];
  readonly siteIds: readonly string[];
  readonly expiresAt: number;
}

const KEY = 'iop-console-token';
type Listener = () => void;
const listeners = new Set<Listener>();

function decode(token: string): Session | null {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as {
      sub?: string;
      roles?: string[];
      sites?: string[];
      exp?: number;
    };
    if (!payload.sub || !Array.isArray(payload.roles) || typeof payload.exp !== 'number') return null;
    return { token, subject: payload.sub, roles: payload.roles, siteIds: payload.sites ?? [], expiresAt: payload.exp * 1000 };
  } catch {
    return null;
  }
}

export function currentSession(): Session | null {
  const token = sessionStorage.getItem(KEY);
  const session = token ? decode(token) : null;
  if (session && session.expiresAt <= Date.now()) {
    sessionStorage.removeItem(KEY);
    return null;
  }
  return session;
}

export function signIn(token: string): Session {
  const session = decode(token);
  if (!session) throw new Error('the sign-in answered with a token the console cannot read');
  sessionStorage.setItem(KEY, token);
  listeners.forEach((l) => l());
  return session;
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(SITE_KEY);
  listeners.forEach((l) => l());
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const SITE_KEY = 'iop-console-site';
export const rememberedSite = (): string | null => sessionStorage.getItem(SITE_KEY);
export const rememberSite = (siteId: string): void => sessionStorage.setItem(SITE_KEY, siteId);
