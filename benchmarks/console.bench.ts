/**
 * The staff console's first load: what a browser downloads (each built asset, raw and gzipped, as the console server
 * sends it) and how long a cold load takes over loopback, from navigation to DOMContentLoaded, to `load`, and to the
 * sign-in screen's form being on screen (the app booted, asked `/auth/config` and rendered).
 *
 *   npm run bench:console [-- --loads 20]
 *
 * It builds the console (from Nx's cache when nothing changed), serves it with the console's own server (no services are
 * needed for the sign-in screen: development sign-in is off, so nothing is proxied), and drives Debian's chromium
 * through playwright-core, a fresh browser context (empty cache) per load.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startConsoleServer } from '../apps/console/server';

const ROOT = resolve(__dirname, '..');
const DIST = join(ROOT, 'dist/apps/console');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? undefined : Number(process.argv[index + 1]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

async function main(): Promise<void> {
  const loads = option('loads', 20);
  // The build as it is now (Nx answers from its cache when nothing changed).
  process.stderr.write('[bench] building the console (npx nx run console:build)\n');
  execFileSync('npx', ['nx', 'run', 'console:build'], { cwd: ROOT, stdio: 'ignore', env: { ...process.env, NX_DAEMON: 'false' } });
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`no build in ${DIST}`);
  const assets = readdirSync(join(DIST, 'assets')).filter((f) => /\.(js|css)$/.test(f));
  const sizes = assets.map((file) => {
    const bytes = readFileSync(join(DIST, 'assets', file));
    return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });

  const server = await startConsoleServer({
    port: 0,
    distDir: DIST,
    devSignIn: false,
    services: {
      intake: 'http://127.0.0.1:9',
      insurance: 'http://127.0.0.1:9',
      scheduling: 'http://127.0.0.1:9',
      attendance: 'http://127.0.0.1:9',
      aftercare: 'http://127.0.0.1:9',
    },
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync', '--disable-component-update'],
  });
  const timings: Array<{ domContentLoaded: number; load: number; signIn: number; transferred: number }> = [];
  const loadAtStart = loadavg()[0]!;
  try {
    for (let i = 0; i < loads + 1; i += 1) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const sizes: Array<Promise<number>> = [];
      page.on('requestfinished', (request) => sizes.push(request.sizes().then((s) => s.responseBodySize + s.responseHeadersSize)));
      const started = Date.now();
      await page.goto(server.url, { waitUntil: 'load' });
      await page.getByRole('heading', { name: 'Sign in to the IOP console' }).waitFor();
      await page.getByText("Sign in with your organisation's account.").waitFor();
      const signIn = Date.now() - started;
      const navigation = await page.evaluate(() => {
        const [entry] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
        return { domContentLoaded: entry!.domContentLoadedEventEnd, load: entry!.loadEventEnd };
      });
      const transferred = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
      // The first load warms the server's file cache and the browser's process: not counted.
      if (i > 0) timings.push({ ...navigation, signIn, transferred });
      await context.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }

  const line = (cells: string[], widths: number[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const widths = [44, 10, 10];
  console.log(
    `console first load: ${loads} cold loads over loopback (fresh browser context each), chromium headless; load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end\n`,
  );
  console.log(line(['asset', 'raw', 'gzip -9'], widths));
  console.log(line(['-'.repeat(44), '-'.repeat(10), '-'.repeat(10)], widths));
  for (const s of sizes) console.log(line([s.file, kB(s.raw), kB(s.gzip)], widths));
  const total = sizes.reduce((a, s) => ({ raw: a.raw + s.raw, gzip: a.gzip + s.gzip }), { raw: 0, gzip: 0 });
  console.log(line(['all JavaScript and CSS', kB(total.raw), kB(total.gzip)], widths));
  console.log(
    `bytes the browser received per load (bodies as sent, compressed, and headers): ${kB(
      percentile(
        timings.map((t) => t.transferred),
        50,
      ),
    )}\n`,
  );
  const row = (name: string, values: number[]) => line([name, `${percentile(values, 50).toFixed(0)} ms`, `${percentile(values, 95).toFixed(0)} ms`], widths);
  console.log(line(['cold load, from navigation', 'p50', 'p95'], widths));
  console.log(line(['-'.repeat(44), '-'.repeat(10), '-'.repeat(10)], widths));
  console.log(
    row(
      'DOMContentLoaded',
      timings.map((t) => t.domContentLoaded),
    ),
  );
  console.log(
    row(
      'load',
      timings.map((t) => t.load),
    ),
  );
  console.log(
    row(
      'sign-in screen rendered (config asked)',
      timings.map((t) => t.signIn),
    ),
  );
}

main().catch((error: unknown) => {
  console.error(`console benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
