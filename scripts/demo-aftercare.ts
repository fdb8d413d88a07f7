import { DataSource } from 'typeorm';

/** One call to a service's API with a token; answers the status and the parsed JSON body (never throws on a 4xx). */
export type Call = (method: 'GET' | 'POST', url: string, token: string, body?: unknown) => Promise<{ status: number; body: unknown }>;

/** The demo's discharged patients: how many days ago each was discharged, so that follow-ups are due or overdue. */
const DISCHARGED_DAYS_AGO = [6, 8, 29] as const;
/** How long before the discharge each was admitted. */
const TREATMENT_DAYS = 42;
const DEMO_CALLERS = [
  { givenName: 'Avery', familyName: 'Demo-Lindqvist', dateOfBirth: '1984-05-17', phone: '6175550161' },
  { givenName: 'Rowan', familyName: 'Demo-Okafor', dateOfBirth: '1991-11-02', phone: '6175550162' },
  { givenName: 'Sasha', familyName: 'Demo-Varga', dateOfBirth: '1977-03-29', phone: '6175550163' },
];

export interface DemoAftercareContext {
  readonly call: Call;
  readonly intakeUrl: string;
  readonly aftercareUrl: string;
  readonly siteId: string;
  readonly timeZone: string;
  /** Tokens for the site: an intake coordinator's and a clinician's. */
  readonly coordinator: string;
  readonly clinician: string;
  /** The administrative Postgres URL (the same one the migrate step uses). */
  readonly databaseUrl: string;
}

/**
 * Gives a demo site with no signed discharge three discharged patients, 6, 8 and 29 days ago, so that aftercare's work
 * list has follow-ups due and overdue. Each is referred, pre-screened, assessed and admitted (self-pay) through intake's
 * API, then discharged (completed) and signed through aftercare's, so every service ends the episode as it would in
 * production. Answers false when the site already has a signed discharge (a second `npm start`).
 *
 * The one step that is not an API call: the platform admits from today on only (a planned start in the past is 422),
 * and a discharge cannot come before its admission, so once aftercare has heard of the admission the demo moves its
 * admission date back in intake's and aftercare's tables, as if the patient had been admitted six weeks before the
 * discharge. Scheduling's and insurance's copies keep today's date; nothing else reads them for a discharged patient.
 */
export async function seedDemoAftercare(ctx: DemoAftercareContext): Promise<boolean> {
  const existing = await ctx.call('GET', `${ctx.aftercareUrl}/sites/${ctx.siteId}/discharges?status=signed&limit=1`, ctx.clinician);
  if (existing.status !== 200) throw new Error(`aftercare answered ${existing.status} listing the site's discharges: ${JSON.stringify(existing.body)}`);
  if ((existing.body as { items: unknown[] }).items.length > 0) return false;

  const database = await new DataSource({ type: 'postgres', url: ctx.databaseUrl, logging: false }).initialize();
  try {
    for (const [i, daysAgo] of DISCHARGED_DAYS_AGO.entries()) {
      const episodeId = await admit(ctx, DEMO_CALLERS[i]!);
      const dischargedOn = localDate(ctx.timeZone, -daysAgo);
      await backdateAdmission(database, episodeId, localDate(ctx.timeZone, -daysAgo - TREATMENT_DAYS));
      await discharge(ctx, episodeId, dischargedOn);
    }
  } finally {
    await database.destroy();
  }
  return true;
}

async function admit(ctx: DemoAftercareContext, caller: (typeof DEMO_CALLERS)[number]): Promise<string> {
  const intake = (method: 'GET' | 'POST', path: string, body?: unknown) => succeeded(ctx.call(method, `${ctx.intakeUrl}${path}`, ctx.coordinator, body));
  const { referralId } = (await intake('POST', '/referrals', {
    siteId: ctx.siteId,
    source: 'self',
    caller,
    presentingConcerns: ['alcohol', 'depression'],
  })) as { referralId: string };
  const no = false;
  await intake('POST', `/referrals/${referralId}/pre-screen`, {
    answers: Object.fromEntries(
      [
        'heavy-daily-alcohol',
        'heavy-daily-benzodiazepines',
        'heavy-daily-opioids',
        'severe-withdrawal-history',
        'withdrawal-seizures',
        'current-withdrawal-symptoms',
        'unable-to-keep-self-safe',
        'severe-psychosis',
        'medically-unstable',
        'cssrs-wish-to-be-dead',
        'cssrs-suicidal-thoughts',
        'cssrs-behaviour-lifetime',
      ].map((q) => [q, no]),
    ),
  });
  await intake('POST', `/referrals/${referralId}/assessment-booking`, { appointmentAt: new Date(Date.now() + 60_000).toISOString() });
  await intake('POST', `/referrals/${referralId}/assessment`, {
    population: 'adult',
    dimensions: { '1': { rating: 1 }, '2': { rating: 0 }, '3': { rating: 2 }, '4': { rating: 1 }, '5': { rating: 2 }, '6': { rating: 1 } },
    phq9: [1, 2, 1, 1, 1, 1, 1, 1, 0],
    gad7: [1, 1, 1, 1, 0, 0, 1],
  });
  const admitted = (await intake('POST', `/referrals/${referralId}/admission`, {
    payment: 'self-pay',
    selfPayAcknowledged: true,
    plannedStart: localDate(ctx.timeZone, 0),
  })) as { episode: { episodeId: string } };
  return admitted.episode.episodeId;
}

/** Waits for aftercare to have heard of the admission, then moves its date (see seedDemoAftercare). */
async function backdateAdmission(database: DataSource, episodeId: string, admittedOn: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const known = (await database.query(
      `SELECT (SELECT count(*) FROM aftercare.episodes WHERE episode_id = $1)::int + (SELECT count(*) FROM aftercare.readmission_admissions WHERE episode_id = $1)::int AS n`,
      [episodeId],
    )) as Array<{ n: number }>;
    if (known[0]!.n === 2) break;
    if (Date.now() > deadline) throw new Error(`aftercare did not hear of the admission of episode ${episodeId} within 30 s; see .run/logs/aftercare.log`);
    await new Promise((r) => setTimeout(r, 250));
  }
  await database.transaction(async (manager) => {
    await manager.query(`UPDATE intake.episodes SET planned_start = $2 WHERE episode_id = $1`, [episodeId, admittedOn]);
    await manager.query(`UPDATE aftercare.episodes SET admitted_on = $2 WHERE episode_id = $1`, [episodeId, admittedOn]);
    await manager.query(`UPDATE aftercare.readmission_admissions SET admitted_on = $2 WHERE episode_id = $1`, [episodeId, admittedOn]);
  });
}

async function discharge(ctx: DemoAftercareContext, episodeId: string, dischargedOn: string): Promise<void> {
  const drafted = (await succeeded(
    ctx.call('POST', `${ctx.aftercareUrl}/episodes/${episodeId}/discharge`, ctx.clinician, {
      type: 'completed',
      reasonCode: 'program-completed',
      dischargedOn,
      goals: { total: 3, met: 2, partly: 1 },
    }),
  )) as { dischargeId: string };
  await succeeded(ctx.call('POST', `${ctx.aftercareUrl}/discharges/${drafted.dischargeId}/sign`, ctx.clinician));
}

/** The body of a 2xx answer; anything else stops the demo with the answer. */
async function succeeded(answer: Promise<{ status: number; body: unknown }>): Promise<unknown> {
  const { status, body } = await answer;
  if (status < 200 || status > 299) throw new Error(`the demo's aftercare patients: a call answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

/** The site's calendar date `days` from today. */
function localDate(timeZone: string, days: number): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  return new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
