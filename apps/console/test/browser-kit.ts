/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// What every browser test of the console does on every screen: a screenshot, axe-core (no serious or critical
// violation), no control the keyboard cannot reach, and no trace of what the user must not see (another site's
// patient). Also the chromium it drives, and the small helpers to sign in and pick options.
import { mkdirSync } from 'node:fs';
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
}

export function screenChecks(page: Page, options: { prefix: string; forbidden: () => readonly string[]; origin: string }): ScreenChecks {
  const pages: string[] = [];
  const pick = async (label: string, option: string | RegExp) => {
    await page.getByRole('combobox', { name: label, exact: true }).click();
    await page.getByRole('option', { name: option }).click();
  };
  return {
    pages,
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
