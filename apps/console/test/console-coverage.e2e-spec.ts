// The console's coverage, analysts' and network administration screens in a real browser (Debian's chromium through
// playwright-core) against the real services: scheduling, intake, insurance and attendance as processes on real
// Postgres, Redis and a Kafka-protocol broker, insurance asking the payer simulator over X12 (the only stand-in, as in
// the other end-to-end tests), the console's own server in front of them. An insurance coordinator, an analyst and a
// site administrator of site A work through their screens; every screen is photographed (.run/console-screenshots/,
// `coverage-*`), checked with axe-core, checked for controls a keyboard cannot reach, and read for site B's patient.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
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
// The simulator stands in for the clearinghouse and its payers; a test double, never a runtime dependency.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startPayerSimulator, type PayerSimulator } from '../../payer-simulator/src/payer-simulator';
import { startConsoleServer, type ConsoleServer } from '../server';
import { aDaytimeZone, launchChromium, localDate, screenChecks } from './browser-kit';

type Service = 'scheduling' | 'intake' | 'insurance' | 'attendance';

describe('the console’s coverage, analysts’ and network administration screens, against the real services', () => {
  let infra: TestInfrastructure;
  let simulator: PayerSimulator | undefined;
  let platform: PlatformProcesses | undefined;
  let consoleServer: ConsoleServer | undefined;
  let browser: Browser | undefined;
  const timeZone = aDaytimeZone();
  const tag = Math.random().toString(36).slice(2, 7);
  const siteA = { ...aSiteRegistration({ timeZone, capacity: 20 }), name: `Harbor House ${tag}` };
  const siteB = { ...aSiteRegistration({ timeZone, capacity: 20 }), name: `Lakeside ${tag}` };
  let siteAId: string;
  let siteBId: string;
  /** Site A's patients: one whose card the coordinator records and verifies, one the payer rejected (a phone task). */
  let toVerify: string;
  let rejected: string;
  /** Site B's patient, with a rejected verification of their own: nothing of them may show to site A. */
  const otherSitesPatient = { givenName: `Ottoline${tag}`, familyName: `Brackenridge${tag}` };
  let otherSitesPatientId: string;
  let otherSitesVerificationId: string;
  const programName = `Alpha substance use ${tag}`;

  async function call<T = Record<string, unknown>>(service: Service, method: string, path: string, token: string, body?: unknown) {
    const response = await fetch(`${platform!.service(service).url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** A referral at the site and the patient's consent to disclose to Aetna for payment, as intake records them; resolves once insurance knows both. */
  async function referredWithConsent(siteId: string, caller: { givenName: string; familyName: string }): Promise<string> {
    const coordinator = await tokenFor('intake_coordinator', [siteId]);
    const { patientId } = await call<{ patientId: string }>('intake', 'POST', '/referrals', coordinator, {
      siteId,
      source: 'self',
      caller: { ...caller, phone: `617555${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}` },
      presentingConcerns: ['alcohol'],
    });
    const signedAt = new Date(Date.now() - 60_000);
    await call('intake', 'POST', `/patients/${patientId}/consents`, coordinator, {
      disclosers: [{ kind: 'program', programId: siteId, name: 'Harbor IOP' }],
      recipients: [{ kind: 'payer', payerId: 'aetna', name: 'Aetna' }],
      purposes: [{ kind: 'payment' }],
      information: { kind: 'specific', categories: ['billing-and-claims', 'assessment'] },
      expiry: { kind: 'date', expiresAt: new Date(signedAt.getTime() + 365 * 86_400_000).toISOString() },
      signedAt: signedAt.toISOString(),
      signatureMethod: 'electronic',
      signer: { kind: 'patient', name: `${caller.givenName} ${caller.familyName}` },
      formStatements: ['right-to-revoke', 'treatment-not-conditioned-on-signing', 'redisclosure-potential'],
    });
    const insurer = await tokenFor('insurance_coordinator', [siteId]);
    await eventually(
      async () =>
        expect(await call('insurance', 'GET', `/sites/${siteId}/patients/${patientId}/disclosure-check?payerId=aetna`, insurer)).toMatchObject({
          allowed: true,
        }),
      { timeoutMs: 30_000 },
    );
    return patientId;
  }

  /** A card whose member id the simulator's payer does not find (AAA 72), verified: a task on the site's phone queue. */
  async function rejectedByThePayer(siteId: string, patientId: string): Promise<string> {
    const insurer = await tokenFor('insurance_coordinator', [siteId]);
    const { coverageId } = await call<{ coverageId: string }>('insurance', 'POST', `/sites/${siteId}/coverages`, insurer, {
      patientId,
      payerId: 'aetna',
      priority: 'primary',
      memberId: `AAA72${tag}${Math.floor(Math.random() * 1e6)}`,
      relationship: 'self',
      subscriber: { firstName: 'Jordan', lastName: 'Wolfsbane', birthDate: '1984-02-11' },
    });
    const verification = await call<{ verificationId: string; status: string; phoneTaskId?: string }>(
      'insurance',
      'POST',
      `/sites/${siteId}/coverages/${coverageId}/verifications`,
      insurer,
      { serviceDate: localDate(timeZone), programType: 'substance-use' },
    );
    expect(verification).toMatchObject({ status: 'rejected', phoneTaskId: expect.any(String) });
    return verification.verificationId;
  }

  /**
   * Last week's group session at the site with twelve patients booked, recorded through attendance's API (all present
   * but one no-show), so the analysts' week has figures to show and one to suppress. The session, program, enrolments
   * and seats are written into attendance's copy of scheduling's calendar as attendance's own tests do, rather than
   * placing twelve patients through intake and scheduling.
   */
  async function aWeekOfTwelvePatients(siteId: string): Promise<void> {
    const programId = crypto.randomUUID();
    const sessionId = crypto.randomUUID();
    const today = localDate(timeZone);
    const weekday = (new Date(`${today}T12:00:00Z`).getUTCDay() + 6) % 7;
    const lastWednesday = new Date(Date.parse(`${today}T12:00:00Z`) - (weekday + 5) * 86_400_000).toISOString().slice(0, 10);
    await infra.adminQuery(
      `INSERT INTO attendance.programs (program_id, site_id, kind, population, level_of_care, min_weekly_minutes, per_diem_minimum_minutes, revision)
       VALUES ($1, $2, 'substance-use', 'adult', '2.1', 540, 180, 1)`,
      [programId, siteId],
    );
    await infra.adminQuery(
      `INSERT INTO attendance.sessions (session_id, site_id, source, kind, program_id, starts_at, ends_at, local_date, delivery, capacity, kiosk_code)
       VALUES ($1, $2, 'group-session', 'group', $3, ($4::date + time '10:00') AT TIME ZONE $5, ($4::date + time '13:00') AT TIME ZONE $5, $4, 'in-person', 20, 'E2E1')`,
      [sessionId, siteId, programId, lastWednesday, timeZone],
    );
    const patients = Array.from({ length: 12 }, () => crypto.randomUUID());
    for (const patientId of patients) {
      const enrolmentId = crypto.randomUUID();
      const episodeId = crypto.randomUUID();
      await infra.adminQuery(
        `INSERT INTO attendance.enrolments (enrolment_id, patient_id, episode_id, site_id, program_id, status, weekly_minimum_minutes)
         VALUES ($1, $2, $3, $4, $5, 'active', 540)`,
        [enrolmentId, patientId, episodeId, siteId, programId],
      );
      await infra.adminQuery(
        `INSERT INTO attendance.seats (session_id, patient_id, site_id, enrolment_id, episode_id, state) VALUES ($1, $2, $3, $4, $5, 'booked')`,
        [sessionId, patientId, siteId, enrolmentId, episodeId],
      );
    }
    await call('attendance', 'POST', `/sessions/${sessionId}/attendance`, await tokenFor('site_admin', [siteId]), {
      allPresent: true,
      exceptions: [{ patientId: patients[0], status: 'no-show' }],
    });
  }

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    // The console as `npm start` builds it (Jest's NODE_ENV=test would give React's development build).
    execFileSync('npx', ['vite', 'build', '--config', 'apps/console/vite.config.mts', '--logLevel', 'warn'], {
      cwd: WORKSPACE_ROOT,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    });
    simulator = await startPayerSimulator();
    platform = await startPlatformProcesses({
      services: ['scheduling', 'intake', 'insurance', 'attendance'],
      env: {
        DATABASE_URL: infra.databaseUrl,
        REDIS_URL: infra.env.redisUrl,
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        CLEARINGHOUSE_URL: simulator.url,
        VERIFICATION_WORKER_POLL_MS: '100',
        OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      },
      logs: { dir: resolve(RUN_DIR, `console-coverage-${infra.env.runId}`) },
    });
    consoleServer = await startConsoleServer({
      port: 0,
      devSignIn: true,
      services: {
        intake: platform.service('intake').url,
        insurance: platform.service('insurance').url,
        scheduling: platform.service('scheduling').url,
        attendance: platform.service('attendance').url,
        // Not started: no screen here asks aftercare.
        aftercare: 'http://127.0.0.1:9',
      },
    });

    const admin = await tokenFor('network_admin');
    siteAId = (await call<{ siteId: string }>('scheduling', 'POST', '/sites', admin, siteA)).siteId;
    siteBId = (await call<{ siteId: string }>('scheduling', 'POST', '/sites', admin, siteB)).siteId;
    for (const service of ['intake', 'insurance', 'attendance'] as const) {
      await eventually(
        async () => {
          const known = await call<Array<{ siteId: string }>>(service, 'GET', '/site-directory', admin);
          expect(known.map((s) => s.siteId)).toEqual(expect.arrayContaining([siteAId, siteBId]));
        },
        { timeoutMs: 30_000 },
      );
    }
    // Site A's per-diem rate, which the estimate starts from; a program, a clinician and a room for the administrator's track.
    await call('insurance', 'PUT', `/sites/${siteAId}/fee-schedule/H0015`, admin, { perDiemCents: 25_000 });
    const program = await call<{ programId: string }>('scheduling', 'POST', `/sites/${siteAId}/programs`, admin, {
      name: programName,
      kind: 'substance-use',
      population: 'adult',
      levelOfCare: '2.1',
    });
    await call('scheduling', 'POST', `/sites/${siteAId}/clinicians`, admin, {
      subject: `coverage-clinician-${tag}`,
      displayName: 'Morgan Ellis, LCSW',
      roles: ['therapist'],
      programIds: [program.programId],
    });
    await call('scheduling', 'POST', `/sites/${siteAId}/rooms`, admin, { name: 'Group room A', capacity: 12, virtual: false });

    await aWeekOfTwelvePatients(siteAId);
    toVerify = await referredWithConsent(siteAId, { givenName: `Wren${tag}`, familyName: `Ashdown${tag}` });
    rejected = await referredWithConsent(siteAId, { givenName: `Isolde${tag}`, familyName: `Marchbank${tag}` });
    await rejectedByThePayer(siteAId, rejected);
    otherSitesPatientId = await referredWithConsent(siteBId, otherSitesPatient);
    otherSitesVerificationId = await rejectedByThePayer(siteBId, otherSitesPatientId);

    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await consoleServer?.close();
    await platform?.stop();
    await simulator?.close();
  });

  it('an insurance coordinator, an analyst and a site administrator of site A do their work, and never see site B’s patient', async () => {
    const context = await browser!.newContext({ viewport: { width: 1400, height: 1000 }, timezoneId: timeZone });
    const page = await context.newPage();
    const origin = consoleServer!.url;
    const screens = screenChecks(page, {
      prefix: 'coverage',
      origin,
      // Site B's patient by name and by the id the console shows in place of a name.
      forbidden: () => [otherSitesPatient.givenName, otherSitesPatient.familyName, otherSitesPatientId.slice(0, 8), siteB.name],
    });
    const { check, pick, elsewhere, cspViolations } = screens;

    // The insurance coordinator's desk: the phone queue holds the payer's rejection, with what to do.
    await screens.signIn('Insurance coordinator', siteA.name);
    await page.getByRole('link', { name: 'Coverage', exact: true }).click();
    await page.getByRole('heading', { name: `Coverage · ${siteA.name}` }).waitFor();
    await page.getByText("Correct the member's details").waitFor();
    expect(await page.getByRole('table').first().getByRole('row').count()).toBe(2);
    await check('desk-with-phone-queue');

    // The call to the payer: "not covered" without saying why is refused, next to the field the service names.
    await page.getByRole('button', { name: 'Record the call' }).click();
    await page.getByLabel('Representative').fill('Dana at Aetna');
    await page.getByLabel('Call reference').fill(`REF-${tag}`);
    await page.getByLabel('Coverage is active').uncheck();
    await page.getByRole('button', { name: 'Record the answer' }).click();
    await page.locator('input[aria-invalid="true"]').first().waitFor();
    expect(await page.getByRole('combobox', { name: 'Why not covered' }).getAttribute('aria-invalid')).toBe('true');
    await check('phone-call-with-error');
    await page.getByLabel('Coverage is active').check();
    await page.getByLabel('Coinsurance (%)').fill('20');
    await page.getByRole('button', { name: 'Record the answer' }).click();
    await page.getByText('No payer to call').waitFor();
    await check('phone-queue-done');

    // A patient's coverage, opened by id: no card yet, so the coordinator records it; the service's refusal shows by the field.
    await page.getByLabel('Patient id').fill(toVerify);
    await page.getByRole('button', { name: 'Open coverage' }).click();
    await page.getByText('No insurance card on file').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/coverage/patients/${toVerify}`);
    await check('patient-without-card');
    await pick('Payer', /Aetna/);
    await page.getByLabel('Member id').fill('A');
    await page.getByLabel('Subscriber first name').fill('Jordan');
    await page.getByLabel('Subscriber last name').fill('Wolfsbane');
    await page.getByLabel('Subscriber birth date').fill('1984-02-11');
    await page.getByRole('button', { name: 'Record the card' }).click();
    await page.locator('input[aria-invalid="true"]').first().waitFor();
    expect(await page.getByLabel('Member id').getAttribute('aria-invalid')).toBe('true');
    await check('card-with-error');
    await page.getByLabel('Member id').fill(`ACTIVE${tag}`);
    await page.getByRole('button', { name: 'Record the card' }).click();
    await page.getByText(`Member ACTIVE${tag}`).waitFor();

    // Benefits verified over X12: each figure names its 271 line, which shows in the raw 271 beside it.
    await page.getByRole('button', { name: 'Verify benefits' }).click();
    await page.getByRole('heading', { name: 'Benefits verification' }).waitFor();
    await page.getByText('verified', { exact: true }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/coverage\/verifications\/[0-9a-f-]{36}$/);
    const raw = page.getByTestId('raw-271');
    await raw.waitFor();
    const source = page.getByRole('button', { name: /^Show line \d+ of the 271/ }).first();
    const line = Number((await source.innerText()).replace('line ', ''));
    await source.click();
    const shown = raw.locator('[aria-current="true"]');
    await shown.waitFor();
    expect(await shown.innerText()).toMatch(new RegExp(`^\\s*${line} [A-Z0-9]{2,3}\\*`));
    await check('verification-with-271');

    // The estimate, step by step, in and out of network.
    await page.getByRole('button', { name: 'Estimate the cost' }).click();
    await page.getByRole('heading', { name: /^In network: / }).waitFor();
    expect(await page.getByRole('heading', { name: /^Out of network: / }).count()).toBe(1);
    expect(await page.getByRole('cell', { name: /^1\. / }).count()).toBeGreaterThanOrEqual(2);
    await check('verification-estimate');

    // A prior authorisation, its units and the run-out chart.
    await page.getByRole('link', { name: 'The patient’s coverage and authorisations' }).click();
    await page.getByRole('heading', { name: 'Prior authorisations' }).waitFor();
    await page.getByLabel('Payer reference').fill(`PA-${tag}`);
    await page.getByRole('button', { name: 'Record the authorisation' }).click();
    await page.getByText(`H0015 · aetna reference PA-${tag}`).waitFor();
    await page.getByText('0 of 20 units used, 20 left').waitFor();
    expect(await page.getByRole('img', { name: new RegExp(`^Units left on authorisation PA-${tag}`) }).count()).toBe(1);
    await check('patient-with-authorisation');

    // Site B's verification by its id: insurance says there is no such verification here, and nothing of it shows.
    await page.goto(`${origin}/coverage/verifications/${otherSitesVerificationId}`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).toContain('there is no verification');
    await check('other-sites-verification');

    // The analyst: the site's weeks, de-identified; nothing recorded yet says what to do.
    await screens.signIn('Analyst', siteA.name);
    await page.getByRole('link', { name: 'Attendance figures' }).click();
    await page.getByRole('heading', { name: 'Attendance figures' }).waitFor();
    // Last week: twelve patients, eleven came (92%, 2.75 hours each); the one no-show is a count under 11, so it and its rate are withheld.
    await page.getByRole('cell', { name: '92%' }).waitFor();
    expect(await page.getByRole('cell', { name: '2.8 h' }).count()).toBe(1);
    expect(await page.getByRole('cell', { name: 'suppressed' }).count()).toBe(1);
    expect(await page.getByRole('img', { name: /^Attendance rate per week/ }).count()).toBe(1);
    await check('analytics');

    // The site administrator: the site's programs and tracks; a refusal shows by the field it names.
    await screens.signIn('Site administrator', siteA.name);
    await page.getByRole('link', { name: 'Network administration' }).click();
    await page.getByRole('heading', { name: 'Network administration' }).waitFor();
    await page.getByRole('cell', { name: programName, exact: true }).waitFor();
    // Only the token's site is listed.
    expect(await page.getByRole('cell', { name: siteA.name, exact: true }).count()).toBe(1);
    await check('network-admin');
    await page.getByRole('button', { name: 'Define a program' }).click();
    await page.getByLabel('Program name').fill(`Beta mental health ${tag}`);
    await pick('Kind', 'mental-health');
    await page.getByLabel('Weekly minimum (minutes)').fill('20000');
    await page.getByRole('button', { name: 'Define the program' }).click();
    await page.locator('input[aria-invalid="true"]').first().waitFor();
    expect(await page.getByLabel('Weekly minimum (minutes)').getAttribute('aria-invalid')).toBe('true');
    await check('network-admin-program-error');
    await page.getByLabel('Weekly minimum (minutes)').fill('');
    await page.getByRole('button', { name: 'Define the program' }).click();
    await page.getByRole('cell', { name: `Beta mental health ${tag}`, exact: true }).waitFor();

    await page.getByRole('button', { name: 'Define a track' }).click();
    await pick('Program', programName);
    await page.getByLabel('Track name').fill(`Morning SUD ${tag}`);
    await page.getByLabel('First day').fill(localDate(timeZone, new Date(Date.now() + 2 * 86_400_000)));
    await page.getByLabel('Topic').fill('Relapse prevention');
    await page.getByLabel('Modality').fill('CBT group');
    await pick('Leader', 'Morgan Ellis, LCSW');
    await pick('Room', /Group room A/);
    await page.getByRole('button', { name: 'Define the track' }).click();
    await page.getByRole('cell', { name: `Morning SUD ${tag}`, exact: true }).waitFor();
    await page.getByRole('button', { name: `Edit Morning SUD ${tag}` }).click();
    await page.getByLabel('Track name').fill(`Morning SUD adults ${tag}`);
    await page.getByRole('button', { name: 'Save the track' }).click();
    await page.getByRole('cell', { name: `Morning SUD adults ${tag}`, exact: true }).waitFor();
    await check('network-admin-track');

    expect(elsewhere).toEqual([]);
    expect(cspViolations).toEqual([]);
    await context.close();
  }, 360_000);
});
