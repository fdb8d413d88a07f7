/**
 * The console's server: the built single-page app (dist/apps/console) and the services behind the same origin,
 * so the browser talks to one origin only and the content security policy can name nothing else.
 *
 *   /api/<service>/<path>   proxied to the service (intake, insurance, scheduling, attendance, aftercare): method,
 *                           body, authorization and content headers pass through; cookies never do
 *   /auth/config            what sign-in the console offers: development sign-in, or the OIDC provider's details
 *   /auth/dev/sites         development only: the network's sites, to choose one at sign-in
 *   /auth/dev/token         development only: a token for a role and sites, minted by the development issuer
 *   anything else           a file of the build, or index.html (the app's own routes; ids only, never PHI)
 *
 * Development sign-in exists only when the services trust the development issuer (an HS256 secret, no
 * AUTH_JWKS_URL) and NODE_ENV is not production; in production the console signs in with OIDC (README).
 *
 *   CONSOLE_PORT (3000), CONSOLE_HOST (127.0.0.1), IOP_<SERVICE>_URL (http://127.0.0.1:<its default port>),
 *   CONSOLE_OIDC_ISSUER, CONSOLE_OIDC_CLIENT_ID (production sign-in), CONSOLE_DEV_SIGN_IN=false to turn it off,
 *   CONSOLE_DIST_DIR (the built app; default dist/apps/console next to the workspace, as the compiled server in the image needs).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { createGzip } from 'node:zlib';
import { ROLES, mintDevelopmentToken, tokenConfigFromEnv, type Role } from '@iop/auth';

export const CONSOLE_SERVICES = ['intake', 'insurance', 'scheduling', 'attendance', 'aftercare'] as const;
export type ConsoleService = (typeof CONSOLE_SERVICES)[number];

/** The services' ports when nobody says otherwise (README, docker-compose, scripts/dev-platform.ts). */
const DEFAULT_PORTS: Record<ConsoleService, number> = { intake: 3001, insurance: 3002, scheduling: 3003, attendance: 3004, aftercare: 3005 };

/**
 * Nothing from another origin, no inline script, no framing. Styles allow 'unsafe-inline' because the component
 * library (Mantine) sets CSS variables in style attributes; script stays strict, which is what stops injection.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** Request headers passed to a service; everything else (cookies above all) stays behind. */
const FORWARDED_HEADERS = ['authorization', 'content-type', 'content-length', 'accept', 'idempotency-key', 'x-request-id', 'if-match'];

/**
 * Response headers kept from the browser: cookies, hop-by-hop headers, and the service's own security headers
 * (for its API; the console's policy is the one the page lives by).
 */
const DROPPED_RESPONSE_HEADERS = new Set(['set-cookie', 'connection', 'transfer-encoding', 'keep-alive', ...Object.keys(SECURITY_HEADERS)]);

export interface ConsoleServerOptions {
  readonly port?: number;
  readonly host?: string;
  /** The built app; default dist/apps/console. */
  readonly distDir?: string;
  /** Base URL per service. */
  readonly services: Record<ConsoleService, string>;
  /** Offer development sign-in; default: only when the development issuer is configured and not in production. */
  readonly devSignIn?: boolean;
}

export interface ConsoleServer {
  readonly url: string;
  readonly devSignIn: boolean;
  close(): Promise<void>;
}

export function developmentSignInAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['CONSOLE_DEV_SIGN_IN'] === 'false') return false;
  if (env['NODE_ENV'] === 'production') return false;
  return tokenConfigFromEnv().secret !== undefined;
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const distDir = resolve(options.distDir ?? resolve(__dirname, '../../dist/apps/console'));
  const devSignIn = options.devSignIn ?? developmentSignInAllowed();
  if (devSignIn && process.env['NODE_ENV'] === 'production') throw new Error('development sign-in is never offered in production');
  if (!existsSync(join(distDir, 'index.html'))) throw new Error(`the console is not built (${distDir}/index.html): run npx nx run console:build`);

  const server: Server = createServer((req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 502, problem(502, 'the console could not reach the service; try again', req.url ?? ''));
      else res.destroy(error instanceof Error ? error : undefined);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const api = /^\/api\/([a-z]+)(\/.*)?$/.exec(url.pathname);
    if (api) {
      const service = CONSOLE_SERVICES.find((s) => s === api[1]);
      if (!service) return sendJson(res, 404, problem(404, `no service "${api[1]}" behind the console`, url.pathname));
      return proxy(req, res, options.services[service], `${api[2] ?? '/'}${url.search}`);
    }
    if (url.pathname === '/auth/config' && req.method === 'GET') {
      const issuer = process.env['CONSOLE_OIDC_ISSUER'];
      const clientId = process.env['CONSOLE_OIDC_CLIENT_ID'];
      return sendJson(res, 200, { devSignIn, oidc: issuer && clientId ? { issuer, clientId } : null });
    }
    if (url.pathname.startsWith('/auth/dev/')) {
      if (!devSignIn) return sendJson(res, 404, problem(404, 'development sign-in is not offered here: sign in with your organisation', url.pathname));
      if (url.pathname === '/auth/dev/sites' && req.method === 'GET') return devSites(res);
      if (url.pathname === '/auth/dev/token' && req.method === 'POST') return devToken(req, res);
      return sendJson(res, 404, problem(404, 'not found', url.pathname));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, problem(405, 'the console serves files only', url.pathname));
    return serveFile(res, url.pathname, /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')));
  }

  function proxy(req: IncomingMessage, res: ServerResponse, base: string, path: string): Promise<void> {
    const target = new URL(path, base);
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    return new Promise((done, fail) => {
      const upstream = httpRequest(target, { method: req.method, headers, timeout: 30_000 }, (answer) => {
        const passed: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value === undefined || DROPPED_RESPONSE_HEADERS.has(name)) continue;
          passed[name] = value;
        }
        res.writeHead(answer.statusCode ?? 502, { ...passed, 'cache-control': 'no-store' });
        answer.pipe(res);
        answer.on('end', () => done());
        answer.on('error', fail);
      });
      upstream.on('timeout', () => upstream.destroy(new Error('the service did not answer in time')));
      upstream.on('error', fail);
      req.pipe(upstream);
    });
  }

  async function devSites(res: ServerResponse): Promise<void> {
    const token = await mintDevelopmentToken({ subject: 'console-dev-sign-in', roles: ['network_admin'], expiresIn: '1m' });
    const answer = await fetch(new URL('/sites', options.services.scheduling), { headers: { authorization: `Bearer ${token}` } });
    if (!answer.ok) return sendJson(res, 502, problem(502, `scheduling answered ${answer.status} for the list of sites`, '/auth/dev/sites'));
    const sites = (await answer.json()) as Array<{ siteId: string; name: string; timeZone: string }>;
    // Names and zones only: this list is shown before anyone has signed in.
    return sendJson(
      res,
      200,
      sites.map(({ siteId, name, timeZone }) => ({ siteId, name, timeZone })),
    );
  }

  async function devToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req);
    const role = (body as { role?: unknown } | undefined)?.role;
    const siteIds = (body as { siteIds?: unknown } | undefined)?.siteIds ?? [];
    const issues: Array<{ field: string; message: string }> = [];
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role))
      issues.push({ field: 'role', message: `role must be one of ${ROLES.join(', ')}` });
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    if (!Array.isArray(siteIds) || siteIds.length > 20 || !siteIds.every((s): s is string => typeof s === 'string' && uuid.test(s))) {
      issues.push({ field: 'siteIds', message: 'siteIds must be a list of site ids' });
    } else if (role !== 'network_admin' && siteIds.length === 0) {
      issues.push({ field: 'siteIds', message: 'choose the site you work at' });
    }
    if (issues.length > 0) {
      return sendJson(res, 400, { ...problem(400, issues.map((i) => i.message).join('; '), '/auth/dev/token'), code: 'request.invalid', issues });
    }
    const subject = `dev-${String(role).replace('_', '-')}-${randomBytes(4).toString('hex')}`;
    const expiresIn = 8 * 3600;
    const token = await mintDevelopmentToken({ subject, roles: [role as Role], sites: siteIds as string[], expiresIn: `${expiresIn}s` });
    return sendJson(res, 201, { token, subject, expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString() });
  }

  function serveFile(res: ServerResponse, pathname: string, gzip: boolean): void {
    const relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
    let file = resolve(distDir, relative);
    if (file !== distDir && !file.startsWith(distDir + sep)) return sendJson(res, 404, problem(404, 'not found', pathname));
    const isFile = existsSync(file) && statSync(file).isFile();
    if (!isFile) {
      // A missing asset is a 404; any other path is one of the app's screens.
      if (extname(relative) !== '') return sendJson(res, 404, problem(404, 'not found', pathname));
      file = join(distDir, 'index.html');
    }
    const hashed = file.includes(`${sep}assets${sep}`);
    // Text compresses to a fifth: the bundle is most of the first load.
    const compress = gzip && /^(text\/|application\/json|image\/svg)/.test(TYPES[extname(file)] ?? '');
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-store',
      vary: 'accept-encoding',
      ...(compress ? { 'content-encoding': 'gzip' } : {}),
    });
    const stream = createReadStream(file);
    if (compress) stream.pipe(createGzip()).pipe(res);
    else stream.pipe(res);
  }

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, () => ready());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${host}:${port}`,
    devSignIn,
    close: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}

function problem(status: number, detail: string, instance: string) {
  return {
    type: 'about:blank',
    title: status === 404 ? 'Not Found' : status === 400 ? 'Bad Request' : 'Error',
    status,
    detail,
    instance,
    requestId: randomBytes(8).toString('hex'),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16_384) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The services' URLs from IOP_<SERVICE>_URL, else their default ports on this machine. */
export function serviceUrlsFromEnv(env: NodeJS.ProcessEnv = process.env): Record<ConsoleService, string> {
  return Object.fromEntries(CONSOLE_SERVICES.map((s) => [s, env[`IOP_${s.toUpperCase()}_URL`] ?? `http://127.0.0.1:${DEFAULT_PORTS[s]}`])) as Record<
    ConsoleService,
    string
  >;
}

if (require.main === module) {
  const port = Number(process.env['CONSOLE_PORT'] ?? 3000);
  const host = process.env['CONSOLE_HOST'] ?? '127.0.0.1';
  const distDir = process.env['CONSOLE_DIST_DIR'];
  startConsoleServer({ port, host, services: serviceUrlsFromEnv(), ...(distDir ? { distDir } : {}) })
    .then((console) => {
      process.stdout.write(`console: ${console.url}${console.devSignIn ? ' (development sign-in)' : ''}\n`);
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void console.close().then(() => process.exit(0)));
    })
    .catch((error: unknown) => {
      process.stderr.write(`[console] ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
