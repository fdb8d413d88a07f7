/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The staff console in a real browser (Debian's chromium through playwright-core) against the real services:
// scheduling, intake, attendance and aftercare as processes on real Postgres, Redis and a Kafka-protocol broker,
// the console's own server in front of them. A site administrator walks one patient from referral to discharge
// by clicking; every screen is photographed (.run/console-screenshots/), checked with axe-core (no serious or
// critical violation), checked for controls a keyboard cannot reach, and read for another site's patient.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { type Browser } from 'playwright-core';
import {
  WORKSPACE_ROOT,
  RUN_DIR,
  aSiteRegistration,
  eventually,
  startPlatformProcesses,
  tokenFor,
  useTestInfrastructure,
  type PlatformProcesses,
  type TestInfrastructure,
} from '@iop/testing';
import { startConsoleServer, type ConsoleServer } from '../server';
import { aDaytimeZone, launchChromium, localDate, screenChecks } from './browser-kit';

/**
 * Five to ten minutes from now on a five-minute mark, local wall-clock time: scheduling plans no session that has
 * already begun, attendance takes a check-in from an hour before the start, and a group note from five minutes before
 * it (the journey writes it last, waiting for that moment when it is early).
 */
function blockStartSoon(timeZone: string): string {
  const at = new Date(Date.now() + 10 * 60_000);
  const [h, m] = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at).split(':').map(Number);
  return `${String(h).padStart(2, '0')}:${String(m! - (m! % 5)).padStart(2, '0')}`;
}

describe('the staff console, driven in a browser against the real services', () => {
  let infra: TestInfrastructure;
  let platform: PlatformProcesses | undefined;
  let consoleServer: ConsoleServer | undefined;
  let browser: Browser | undefined;
  let admin: string;
  const timeZone = aDaytimeZone();
  const tag = Math.random().toString(36).slice(2, 7);
  const siteA = { ...aSiteRegistration({ timeZone, capacity: 20 }), name: `Harbor House ${tag}` };
  const siteB = { ...aSiteRegistration({ timeZone, capacity: 20 }), name: `Lakeside ${tag}` };
  let siteAId: string;
  let siteBId: string;
  /** Site B's patient: their name must appear nowhere a site-A user looks. */
  const otherSitesPatient = { givenName: `Ottoline${tag}`, familyName: `Brackenridge${tag}` };
  let otherSitesReferralId: string;
  const trackName = `Daytime SUD ${tag}`;

  async function call<T = Record<string, unknown>>(service: 'scheduling' | 'intake', method: string, path: string, token: string, body?: unknown) {
    const response = await fetch(`${platform!.service(service).url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    // The console as `npm start` builds it.
    // (Jest sets NODE_ENV=test, which would give React's development build.)
    execFileSync('npx', ['vite', 'build', '--config', 'apps/console/vite.config.mts', '--logLevel', 'warn'], {
      cwd: WORKSPACE_ROOT,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    });
    platform = await startPlatformProcesses({
      services: ['scheduling', 'intake', 'attendance', 'aftercare'],
      env: {
        DATABASE_URL: infra.databaseUrl,
        REDIS_URL: infra.env.redisUrl,
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      },
      logs: { dir: resolve(RUN_DIR, `console-${infra.env.runId}`) },
    });
    consoleServer = await startConsoleServer({
      port: 0,
      devSignIn: true,
      services: {
        intake: platform.service('intake').url,
        scheduling: platform.service('scheduling').url,
        attendance: platform.service('attendance').url,
        aftercare: platform.service('aftercare').url,
        // Not started: the episode pays privately, and no screen of this slice asks insurance.
        insurance: 'http://127.0.0.1:9',
      },
    });

    admin = await tokenFor('network_admin');
    siteAId = (await call<{ siteId: string }>('scheduling', 'POST', '/sites', admin, siteA)).siteId;
    siteBId = (await call<{ siteId: string }>('scheduling', 'POST', '/sites', admin, siteB)).siteId;
    for (const service of ['intake', 'attendance', 'aftercare'] as const) {
      await eventually(
        async () => {
          const known = (await (
            await fetch(`${platform!.service(service).url}/site-directory`, { headers: { authorization: `Bearer ${admin}` } })
          ).json()) as Array<{
            siteId: string;
          }>;
          expect(known.map((s) => s.siteId)).toEqual(expect.arrayContaining([siteAId, siteBId]));
        },
        { timeoutMs: 30_000 },
      );
    }

    // Site A's week, as its administrator would define it: a substance-use program with a two-hour group every day,
    // today's starting in twenty minutes.
    const base = `/sites/${siteAId}`;
    const program = await call<{ programId: string }>('scheduling', 'POST', `${base}/programs`, admin, {
      name: 'Substance use IOP',
      kind: 'substance-use',
      population: 'adult',
      levelOfCare: '2.1',
    });
    const clinician = await call<{ clinicianId: string }>('scheduling', 'POST', `${base}/clinicians`, admin, {
      subject: `console-clinician-${tag}`,
      displayName: 'Morgan Ellis, LCSW',
      roles: ['therapist'],
      programIds: [program.programId],
    });
    const room = await call<{ roomId: string }>('scheduling', 'POST', `${base}/rooms`, admin, { name: 'Group room A', capacity: 12, virtual: false });
    await call('scheduling', 'POST', `${base}/tracks`, admin, {
      programId: program.programId,
      name: trackName,
      recurrence: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU',
      startsOn: localDate(timeZone),
      blockStart: blockStartSoon(timeZone),
      sessions: [
        {
          topic: 'Relapse prevention',
          modality: 'CBT group',
          durationMinutes: 120,
          leaderId: clinician.clinicianId,
          roomId: room.roomId,
          capacity: 10,
          delivery: 'in-person',
        },
      ],
    });

    const siteBCoordinator = await tokenFor('intake_coordinator', [siteBId]);
    otherSitesReferralId = (
      await call<{ referralId: string }>('intake', 'POST', '/referrals', siteBCoordinator, {
        siteId: siteBId,
        source: 'self',
        caller: { ...otherSitesPatient, phone: `212555${String(Date.now()).slice(-4)}` },
        presentingConcerns: ['alcohol'],
      })
    ).referralId;

    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await consoleServer?.close();
    await platform?.stop();
  });

  it('a site administrator takes a patient from referral to discharge, and never sees another site’s patient', async () => {
    const context = await browser!.newContext({ viewport: { width: 1400, height: 1000 }, timezoneId: timeZone });
    const page = await context.newPage();
    const origin = consoleServer!.url;
    const given = `Wren${tag}`;
    const family = `Ashdown${tag}`;
    // Every screen: a screenshot (journey-NN-name.png), axe, keyboard reach, ids only in the address, and no trace of
    // site B's patient.
    const { check, until, pick, signIn, elsewhere, cspViolations } = screenChecks(page, {
      prefix: 'journey',
      forbidden: () => [otherSitesPatient.familyName, otherSitesPatient.givenName],
      origin,
    });

    // Sign in: role and site, by keyboard as far as the button.
    await page.goto(origin);
    await page.getByRole('heading', { name: 'Sign in to the IOP console' }).waitFor();
    await check('sign-in');
    await pick('Role', 'Site administrator');
    await pick('Site', siteA.name);
    await page.getByRole('button', { name: 'Sign in' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Intake board · ${siteA.name}` }).waitFor();
    // The token stays in this tab's session storage; the address holds no more than a path.
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
    await check('intake-board');
    // The site switcher offers the token's site only.
    await page.getByRole('combobox', { name: 'Site', exact: true }).click();
    expect(await page.getByRole('option').allInnerTexts()).toEqual([siteA.name]);
    await page.keyboard.press('Escape');

    // A referral; the service's refusal shows next to the field it names.
    await page.getByRole('button', { name: 'New referral' }).click();
    await page.getByLabel('Given name').fill(given);
    await page.getByLabel('Family name').fill(family);
    await page.getByLabel('Date of birth').fill('1986-04-12');
    await page.getByLabel('Phone').fill('12');
    await page.getByRole('combobox', { name: 'Presenting concerns' }).click();
    await page.getByRole('option', { name: 'alcohol', exact: true }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Record the referral' }).click();
    await page.locator('input[aria-invalid="true"]').first().waitFor();
    expect(await page.getByLabel('Phone').getAttribute('aria-invalid')).toBe('true');
    await check('new-referral-with-error');
    await page.getByLabel('Phone').fill(`617555${String(Date.now()).slice(-4)}`);
    await page.getByRole('button', { name: 'Record the referral' }).click();
    await page.getByRole('heading', { name: `${family}, ${given}` }).waitFor();
    const referralPath = new URL(page.url()).pathname;
    // Ids only in the address.
    expect(referralPath).toMatch(/^\/referrals\/[0-9a-f-]{36}$/);
    await check('referral-new');

    // Pre-screen: every answer no, so the caller goes on to assessment.
    await page.getByRole('button', { name: 'Record the pre-screen' }).click();
    await page.getByText('proceed to assessment').waitFor();
    // The assessment appointment, an hour from now.
    const inAnHour = new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'short' })
      .format(new Date(Date.now() + 3_600_000))
      .replace(' ', 'T');
    await page.getByRole('textbox', { name: 'Appointment', exact: true }).fill(inAnHour);
    await page.getByRole('button', { name: 'Book', exact: true }).click();
    await page.getByText(/^Booked for/).waitFor();
    // Consent to disclose to the payer.
    await page.getByLabel('Payer id').first().fill('aetna');
    await page.getByLabel('Payer name').fill('Aetna');
    await page.getByLabel('Signed by (patient)').fill(`${given} ${family}`);
    for (const statement of ['The patient may revoke this consent', 'Treatment does not depend on signing', 'Records disclosed may be disclosed again']) {
      await page.getByLabel(statement).check();
    }
    await page.getByRole('button', { name: 'Record the consent' }).click();
    await page.getByText('in force').waitFor();
    await check('referral-pre-screened-with-consent');

    // The assessment: the level of care is recommended and explained.
    const ratings = ['1', '0', '2', '1', '2', '1'];
    const dimensions = page.locator('select[required]');
    for (let i = 0; i < ratings.length; i++) await dimensions.nth(i).selectOption(ratings[i]!);
    for (let i = 1; i <= 9; i++) await page.getByLabel(`PHQ-9 item ${i}`, { exact: true }).selectOption(i === 9 ? '0' : '1');
    for (let i = 1; i <= 7; i++) await page.getByLabel(`GAD-7 item ${i}`, { exact: true }).selectOption('1');
    await page.getByRole('button', { name: 'Record the assessment' }).click();
    await page.getByText(/^Recommended:/).waitFor();
    await page.getByText(/^Why:/).waitFor();

    // Admission, self-pay, from today.
    await page.getByLabel('Self-pay').check();
    await page.getByLabel('The patient knows they pay the full fee themselves').check();
    await page.getByLabel('Planned start').fill(localDate(timeZone));
    await page.getByRole('button', { name: 'Admit' }).click();
    await page.getByText(/^Admitted /).waitFor();
    await check('referral-admitted');

    // Placement: the patient appears in the queue once scheduling hears of the admission.
    await page.getByRole('link', { name: 'Schedule and placement' }).click();
    await page.getByRole('heading', { name: `Schedule · ${siteA.name}` }).waitFor();
    await until(`${family}, ${given}`);
    await check('schedule-and-placement-queue');
    await page.getByRole('button', { name: 'Suggest tracks' }).click();
    await page.getByRole('button', { name: `Place in ${trackName}` }).click();
    await page.getByText('Nobody is waiting for a track').waitFor();
    await check('schedule-after-placement');

    // The group's leader's week, from the session's card.
    await page.getByRole('link', { name: 'Morgan Ellis, LCSW' }).first().click();
    await page.getByRole('heading', { name: 'Week of Morgan Ellis, LCSW' }).waitFor();
    await page.getByText('Group session (leader)').first().waitFor();
    await check('clinician-week');

    // Check-in: today's session, the patient on its roster once attendance hears of the seat.
    await page.getByRole('link', { name: "Today's sessions" }).click();
    await page.getByRole('heading', { name: `Sessions · ${siteA.name}` }).waitFor();
    await check('todays-sessions');
    await page.getByRole('table').getByRole('link').first().click();
    await page.getByRole('heading', { name: /^Roster/ }).waitFor();
    await until(`${family}, ${given}`);
    await check('roster');
    await page.getByRole('button', { name: 'Check in' }).click();
    await page
      .getByText(/attended|late/)
      .first()
      .waitFor();
    await check('roster-checked-in');

    // Hours: the week's attended time against the plan.
    await page.getByRole('link', { name: 'Hours and outreach' }).click();
    await page.getByRole('heading', { name: `Hours · ${siteA.name}` }).waitFor();
    await until(`${family}, ${given}`);
    await check('hours');

    // The patient's own week, from the hours table: the group they were placed in.
    await page.getByRole('link', { name: 'week', exact: true }).first().click();
    await page.getByRole('heading', { name: `Week of ${family}, ${given}` }).waitFor();
    await page.getByText('Group: Relapse prevention').first().waitFor();
    await check('patient-week');

    // Discharge: a draft, then signed, once aftercare knows the episode.
    await page.getByRole('link', { name: 'Aftercare' }).click();
    await page.getByRole('heading', { name: `Aftercare · ${siteA.name}` }).waitFor();
    await until(`${family}, ${given}`);
    await check('aftercare');
    await eventually(
      async () => {
        if (!(await page.getByRole('button', { name: 'Save the draft' }).isVisible())) await page.getByRole('button', { name: 'Draft a discharge' }).click();
        await page.getByLabel('Plan goals').fill('3');
        await page.getByLabel('Goals met').fill('2');
        await page.getByLabel('Goals partly met').fill('1');
        await page.getByLabel('Discharge summary').fill('Completed the program; relapse prevention plan in place.');
        await page.getByRole('button', { name: 'Save the draft' }).click();
        await page.getByRole('button', { name: 'Sign the discharge' }).waitFor({ timeout: 3_000 });
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    await page.getByRole('button', { name: 'Sign the discharge' }).click();
    await page.getByText('signed', { exact: true }).waitFor();
    await check('aftercare-discharged');

    // The patient's aftercare: follow-ups planned at 7, 30 and 90 days once aftercare hears of the signature.
    await page.getByRole('link', { name: 'Aftercare plan and follow-ups' }).click();
    await page.getByRole('heading', { name: `Aftercare · ${family}, ${given}` }).waitFor();
    await page.getByText(/^7-day follow-up · due/).waitFor({ timeout: 60_000 });
    const aftercarePath = new URL(page.url()).pathname;
    expect(aftercarePath).toMatch(/^\/aftercare\/episodes\/[0-9a-f-]{36}$/);
    await check('patient-aftercare');

    // The aftercare plan: an item the service refuses shows its message beside that item; without it, version 1.
    await page.getByRole('button', { name: 'Write the plan' }).click();
    const addItem = page.getByRole('region', { name: 'Add an item' });
    await addItem.getByLabel('Kind').selectOption('mutual-help');
    await addItem.getByLabel('Fellowship').selectOption('smart-recovery');
    await addItem.getByLabel('Meetings a week').fill('2');
    await addItem.getByRole('button', { name: 'Add to the plan' }).click();
    await addItem.getByLabel('Kind').selectOption('sober-living');
    await addItem.getByRole('button', { name: 'Add to the plan' }).click();
    await page.getByRole('button', { name: 'Save the plan' }).click();
    await page.getByText(/^residence: /).waitFor();
    await check('aftercare-plan-with-error');
    await page.getByRole('button', { name: 'Remove sober living' }).click();
    await addItem.getByLabel('Kind').selectOption('crisis-plan');
    await addItem.getByRole('button', { name: 'Add to the plan' }).click();
    await page.getByRole('button', { name: 'Save the plan' }).click();
    await page.getByText(/^Version 1, recorded/).waitFor();
    await check('aftercare-plan');

    // The follow-up work list: the new 7-day follow-up is due in a week; the coordinator calls from it.
    await page.getByRole('link', { name: 'Follow-ups', exact: true }).click();
    await page.getByRole('heading', { name: `Follow-ups · ${siteA.name}` }).waitFor();
    await until(`${family}, ${given}`);
    await page.getByText('due in 7 days').waitFor();
    await check('follow-up-queue');
    await page.getByRole('link', { name: /^Call for the 7-day follow-up/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Aftercare · ${family}, ${given}` }).waitFor();
    expect(new URL(page.url()).pathname).toBe(aftercarePath);

    // The 7-day follow-up call reaches the patient.
    const week = page.getByRole('region', { name: '7-day follow-up', exact: true });
    await week.getByLabel('How (7-day follow-up)').selectOption('phone');
    await week.getByLabel('Outcome (7-day follow-up)').selectOption('reached');
    await week.getByRole('button', { name: 'Record the 7-day follow-up call' }).click();
    await week.getByText('done', { exact: true }).waitFor();
    await week.getByText(/^Reached by phone/).waitFor();
    await check('follow-up-recorded');

    // The outcome check-in on that call: an unanswered item is named by the service beside it, then scored.
    await page.getByLabel('Taken at').selectOption({ label: 'the 7-day follow-up' });
    for (let i = 1; i <= 8; i++) await page.getByLabel(`PHQ-9 item ${i}`, { exact: true }).selectOption('1');
    for (let i = 1; i <= 7; i++) await page.getByLabel(`GAD-7 item ${i}`, { exact: true }).selectOption('1');
    await page.getByLabel('Days abstinent').fill('7');
    await page.getByRole('button', { name: 'Record the check-in' }).click();
    await page.getByRole('alert').first().waitFor();
    expect(await page.getByLabel('PHQ-9 item 9', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await check('check-in-with-error');
    await page.getByLabel('PHQ-9 item 9', { exact: true }).selectOption('0');
    await page.getByRole('button', { name: 'Record the check-in' }).click();
    await page.getByText('Check-in recorded').waitFor();
    await page.getByText('PHQ-9 8 (mild) · GAD-7 7 (mild) · 7 days abstinent').waitFor();
    await check('check-in-recorded');

    // Site B's referral by its id: the service says it is not found, and nothing of it shows.
    await page.goto(`${origin}/referrals/${otherSitesReferralId}`);
    await page.getByRole('alert').waitFor();
    await check('other-sites-referral');

    // A clinician documents today's group: the group note, the patient's progress note, then signs.
    await signIn('Clinician', siteA.name);
    await page.getByRole('link', { name: "Today's sessions" }).click();
    await page.getByRole('heading', { name: `Sessions · ${siteA.name}` }).waitFor();
    await page.getByRole('table').getByRole('link').first().click();
    await page.getByRole('heading', { name: /^Roster/ }).waitFor();
    const rosterPath = new URL(page.url()).pathname;
    const groupNote = page.getByRole('region', { name: 'Group note' });
    await groupNote.getByLabel('Topic').fill('Coping with cravings at work');
    await groupNote.getByLabel('cbt', { exact: true }).check();
    await groupNote.getByLabel('relapse prevention').check();
    await groupNote.getByLabel('Group summary').fill('Identified triggers at work and practised urge surfing.');
    // Attendance takes the note from five minutes before the session starts: until then its refusal shows, and we wait.
    await eventually(
      async () => {
        await groupNote.getByRole('button', { name: 'Save the group note' }).click();
        await groupNote.getByText(/^Revision 1, by/).waitFor({ timeout: 3_000 });
      },
      { timeoutMs: 8 * 60_000, intervalMs: 10_000 },
    );
    await groupNote.getByRole('button', { name: 'Write the progress note' }).click();
    await groupNote.getByLabel('Participation').selectOption('active');
    await groupNote.getByLabel('Response to the interventions').fill('Named two triggers; practised the skill with the group.');
    await groupNote.getByLabel('Next steps').fill('Use urge surfing at work; report back on Thursday.');
    await groupNote.getByRole('button', { name: 'Save the progress note' }).click();
    await groupNote.getByRole('button', { name: 'Edit the progress note' }).waitFor();
    await check('roster-group-note');
    await groupNote.getByRole('button', { name: 'Sign the group note and progress notes' }).click();
    await groupNote.getByText(/awaiting a clinical supervisor’s co-signature/).waitFor();
    await check('roster-group-note-signed');

    // A clinical supervisor co-signs and locks it (the roster itself is attendance staff's, the documentation theirs).
    await signIn('Clinical supervisor', siteA.name);
    await page.goto(`${origin}${rosterPath}`);
    await page.getByRole('heading', { name: 'Session documentation' }).waitFor();
    await page.getByRole('button', { name: 'Co-sign' }).click();
    await page.getByRole('button', { name: 'Lock the documentation' }).click();
    await page.getByText('locked', { exact: true }).waitFor();
    await check('session-documentation-locked');

    // Site B's staff open site A's patient's aftercare by its address: the service does not know it, nothing shows.
    await signIn('Site administrator', siteB.name);
    await page.goto(`${origin}${aftercarePath}`);
    await page.getByRole('alert').first().waitFor();
    const seen = await page.locator('body').innerText();
    expect(seen).not.toContain(family);
    expect(seen).not.toContain(given);
    await check('other-sites-aftercare');

    expect(elsewhere).toEqual([]);
    expect(cspViolations).toEqual([]);
    await context.close();
  }, 900_000);
});
