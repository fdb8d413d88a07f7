/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// What every browser test of the console does on every screen: a screenshot, axe-core (no serious or critical
// violation), no control the keyboard cannot reach, and no trace of what the user must not see (another site's
// patient). Also the chromium it drives, and the small helpers to sign in and pick options.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import axe from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WORKSPACE_ROOT, eventually } from '@iop/testing';

export const SCREENSHOTS = resolve(WORKSPACE_ROOT, '.run/console-screenshots');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Debian's chromium, headless, with nothing phoning home. */
export function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync', '--disable-component-update'],
  });
}

/** A zone where it is now between 01:00 and 20:00, so that a session starting soon ends the same local day. */
export function aDaytimeZone(): string {
  const zones = ['America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Pacific/Honolulu', 'Europe/London', 'Asia/Tokyo', 'Australia/Sydney'];
  return zones.find((timeZone) => {
    const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
    return hour >= 1 && hour <= 20;
  })!;
}

export const localDate = (timeZone: string, at = new Date()) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

export interface ScreenChecks {
  /** Screenshot `<prefix>-<nn>-<name>.png`, axe, keyboard reach, and none of the forbidden texts on the page. */
  check(name: string): Promise<void>;
  /** Reloads until the text shows: the services learn of each other's steps through Kafka. */
  until(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Chooses an option of a (Mantine) select by its label. */
  pick(label: string, option: string | RegExp): Promise<void>;
  /** Signs out if signed in, then signs in with the development sign-in as a role at a site. */
  signIn(role: RegExp | string, siteName: string): Promise<void>;
  /** The screens checked so far. */
  readonly pages: readonly string[];
  /** Requests the page made anywhere but the console's own origin: none is expected. */
  readonly elsewhere: readonly string[];
  /** Content Security Policy violations the page reported: none is expected. */
  readonly cspViolations: readonly string[];
}

/**
 * Also watches the page from now on: requests that leave the console's origin, CSP violations, and what the services
 * refused (many refusals are on purpose), written to `<prefix>-refusals.log` beside the screenshots so the test's own
 * output stays quiet. CONSOLE_E2E_TRACE=1 also traces every API call and page error on stderr.
 */
export function screenChecks(page: Page, options: { prefix: string; forbidden: () => readonly string[]; origin: string }): ScreenChecks {
  const pages: string[] = [];
  const elsewhere: string[] = [];
  const cspViolations: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(options.origin) && !request.url().startsWith('data:')) elsewhere.push(request.url());
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  const refusals = resolve(SCREENSHOTS, `${options.prefix}-refusals.log`);
  writeFileSync(refusals, '');
  page.on('response', (response) => {
    if (!response.url().includes('/api/') || response.status() < 400) return;
    void response
      .text()
      .then((body) =>
        appendFileSync(
          refusals,
          `${new Date().toISOString()} ${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}: ${body.slice(0, 300)}\n`,
        ),
      )
      // A body the browser dropped when the page moved on: nothing to log.
      .catch(() => undefined);
  });
  if (process.env['CONSOLE_E2E_TRACE']) {
    page.on('request', (r) => r.url().includes('/api/') && process.stderr.write(`[trace] -> ${r.method()} ${r.url()}\n`));
    page.on('requestfinished', (r) => r.url().includes('/api/') && process.stderr.write(`[trace] <- ${r.method()} ${r.url()}\n`));
    page.on('pageerror', (e) => process.stderr.write(`[trace] page error ${e.message}\n`));
    page.on('requestfailed', (r) => process.stderr.write(`[trace] x ${r.method()} ${r.url()} ${r.failure()?.errorText}\n`));
  }
  const pick = async (label: string, option: string | RegExp) => {
    await page.getByRole('combobox', { name: label, exact: true }).click();
    await page.getByRole('option', { name: option }).click();
  };
  return {
    pages,
    elsewhere,
    cspViolations,
    pick,
    async check(name) {
      await page.waitForLoadState('networkidle');
      pages.push(name);
      await page.screenshot({ path: resolve(SCREENSHOTS, `${options.prefix}-${String(pages.length).padStart(2, '0')}-${name}.png`), fullPage: true });
      await page.evaluate(axe.source);
      const violations = await page.evaluate(async () => {
        const result = await (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] });
        return result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      });
      expect({ page: name, violations }).toEqual({ page: name, violations: [] });
      // Every control a mouse can use is in the tab order (nothing clickable but unfocusable).
      const unreachable = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('button, a, input, select, textarea, [role="button"], [role="tab"], [role="radio"], [onclick]')]
          .filter((el) => !(el as HTMLButtonElement).disabled && el.offsetParent !== null && el.getAttribute('aria-hidden') !== 'true')
          .filter((el) => el.tabIndex < 0 && !el.closest('[role="radiogroup"]'))
          .map((el) => el.outerHTML.slice(0, 120)),
      );
      expect({ page: name, unreachable }).toEqual({ page: name, unreachable: [] });
      const text = await page.locator('body').innerText();
      for (const forbidden of options.forbidden())
        expect({ page: name, shows: text.includes(forbidden) ? forbidden : null }).toEqual({ page: name, shows: null });
      // Ids only in the address.
      expect(new URL(page.url()).pathname).toMatch(/^[/a-z0-9-]*$/);
    },
    async until(text, timeoutMs = 60_000) {
      await eventually(
        async () => {
          if (await page.getByText(text).first().isVisible()) return;
          await page.reload();
          await page.getByText(text).first().waitFor({ timeout: 2_000 });
        },
        { timeoutMs, intervalMs: 500 },
      );
    },
    async signIn(role, siteName) {
      if (await page.getByRole('button', { name: 'Sign out' }).isVisible()) await page.getByRole('button', { name: 'Sign out' }).click();
      else await page.goto(options.origin);
      await page.getByRole('heading', { name: 'Sign in to the IOP console' }).waitFor();
      await pick('Role', role);
      await pick('Site', siteName);
      await page.getByRole('button', { name: 'Sign in' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
    },
  };
}
