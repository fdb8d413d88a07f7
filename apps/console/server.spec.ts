// The console's server on its own: what every answer carries, what it serves, what it passes to a service and what
// it keeps back. An HTTP listener stands in for a service, recording what reaches it.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTENT_SECURITY_POLICY, developmentSignInAllowed, startConsoleServer, type ConsoleServer } from './server';

describe('the console server', () => {
  let dist: string;
  let service: Server;
  let serviceUrl: string;
  const received: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }> = [];
  const servers: ConsoleServer[] = [];

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'console-dist-'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>IOP console</title>');
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log("app")');
    service = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        res.writeHead(201, { 'content-type': 'application/json', 'set-cookie': 'tracking=1', 'x-request-id': 'req-1' });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((ready) => service.listen(0, '127.0.0.1', ready));
    const address = service.address();
    serviceUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await new Promise((closed) => service.close(closed));
  });

  async function aConsole(devSignIn: boolean): Promise<ConsoleServer> {
    const services = { intake: serviceUrl, insurance: serviceUrl, scheduling: serviceUrl, attendance: serviceUrl, aftercare: serviceUrl };
    const server = await startConsoleServer({ port: 0, distDir: dist, services, devSignIn });
    servers.push(server);
    return server;
  }

  it('serves the app for any screen path, with the content security policy, and a missing asset as 404', async () => {
    const { url } = await aConsole(false);
    const screen = await fetch(`${url}/referrals/6f1c7a52-0d7e-4a53-9c43-0b0d1c2f5b11`);
    expect(screen.status).toBe(200);
    expect(await screen.text()).toContain('IOP console');
    expect(screen.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:/);
    expect(screen.headers.get('cache-control')).toBe('no-store');

    const asset = await fetch(`${url}/assets/index-abc123.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await asset.text()).toBe('console.log("app")');
    expect((await fetch(`${url}/assets/missing.js`)).status).toBe(404);
  });

  it('passes a request to the named service with its token and body, and keeps cookies both ways', async () => {
    const { url } = await aConsole(false);
    const answer = await fetch(`${url}/api/intake/referrals?siteId=abc`, {
      method: 'POST',
      headers: { authorization: 'Bearer t0ken', 'content-type': 'application/json', cookie: 'session=secret' },
      body: '{"source":"self"}',
    });
    expect(answer.status).toBe(201);
    expect(await answer.json()).toEqual({ ok: true });
    expect(answer.headers.get('set-cookie')).toBeNull();
    expect(answer.headers.get('x-request-id')).toBe('req-1');
    expect(answer.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const seen = received.at(-1)!;
    expect(seen).toMatchObject({ method: 'POST', url: '/referrals?siteId=abc', body: '{"source":"self"}' });
    expect(seen.headers.authorization).toBe('Bearer t0ken');
    expect(seen.headers.cookie).toBeUndefined();
  });

  it('answers 404 for a service it does not know, and 502 with a message when the service is down', async () => {
    const { url } = await aConsole(false);
    expect((await fetch(`${url}/api/billing/x`)).status).toBe(404);
    const down = await startConsoleServer({
      port: 0,
      distDir: dist,
      devSignIn: false,
      services: { intake: 'http://127.0.0.1:9', insurance: serviceUrl, scheduling: serviceUrl, attendance: serviceUrl, aftercare: serviceUrl },
    });
    servers.push(down);
    const answer = await fetch(`${down.url}/api/intake/referrals`);
    expect(answer.status).toBe(502);
    expect(((await answer.json()) as { detail: string }).detail).toContain('could not reach the service');
  });

  it('offers no development sign-in unless enabled', async () => {
    const { url } = await aConsole(false);
    expect(await (await fetch(`${url}/auth/config`)).json()).toEqual({ devSignIn: false, oidc: null });
    const minted = await fetch(`${url}/auth/dev/token`, { method: 'POST', body: JSON.stringify({ role: 'network_admin' }) });
    expect(minted.status).toBe(404);
  });

  it('never offers development sign-in in production', async () => {
    expect(developmentSignInAllowed({ NODE_ENV: 'production' })).toBe(false);
    expect(developmentSignInAllowed({ CONSOLE_DEV_SIGN_IN: 'false' })).toBe(false);
    const before = process.env['NODE_ENV'];
    process.env['NODE_ENV'] = 'production';
    try {
      await expect(aConsole(true)).rejects.toThrow('never offered in production');
    } finally {
      process.env['NODE_ENV'] = before;
    }
  });

  it('mints a development token for a role and site, and names the field that is wrong', async () => {
    const { url } = await aConsole(true);
    const siteId = '6f1c7a52-0d7e-4a53-9c43-0b0d1c2f5b11';
    const minted = await fetch(`${url}/auth/dev/token`, { method: 'POST', body: JSON.stringify({ role: 'clinician', siteIds: [siteId] }) });
    expect(minted.status).toBe(201);
    const { token } = (await minted.json()) as { token: string };
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { roles: string[]; sites: string[] };
    expect(claims).toMatchObject({ roles: ['clinician'], sites: [siteId] });

    const refused = await fetch(`${url}/auth/dev/token`, { method: 'POST', body: JSON.stringify({ role: 'clinician', siteIds: [] }) });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { issues: unknown }).issues).toEqual([{ field: 'siteIds', message: 'choose the site you work at' }]);
    const unknownRole = await fetch(`${url}/auth/dev/token`, { method: 'POST', body: JSON.stringify({ role: 'superuser', siteIds: [siteId] }) });
    expect(((await unknownRole.json()) as { issues: Array<{ field: string }> }).issues[0]!.field).toBe('role');
  });
});
