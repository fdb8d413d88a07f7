import { createContext, useContext } from 'react';

export interface SiteChoice {
  readonly siteId: string;
  readonly name: string;
  readonly timeZone: string;
}

export const SiteContext = createContext<SiteChoice | null>(null);

/** The site the person is working at now (the switcher in the header sets it). */
export function useSite(): SiteChoice {
  const site = useContext(SiteContext);
  if (!site) throw new Error('no site chosen');
  return site;
}

/** Today's date (YYYY-MM-DD) in a time zone. */
export function todayIn(timeZone: string, at: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The Monday of the week holding `date` (a local date). */
export function mondayOf(date: string): string {
  const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
  return addDays(date, -((weekday + 6) % 7));
}
