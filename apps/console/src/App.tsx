import { AppShell, Button, Group, NavLink, Select, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { scheduling, unwrap } from './api/client';
import { currentSession, onSessionChange, rememberSite, rememberedSite, signOut, type Session } from './auth/session';
import { match, navigate, usePath } from './router';
import { Hours } from './screens/Hours';
import { IntakeBoard } from './screens/IntakeBoard';
import { NewReferral } from './screens/NewReferral';
import { ReferralPage } from './screens/ReferralPage';
import { Roster } from './screens/Roster';
import { Schedule } from './screens/Schedule';
import { SignIn } from './screens/SignIn';
import { Today } from './screens/Today';
import { Discharges } from './screens/Discharges';
import { Analytics } from './screens/Analytics';
import { Coverage } from './screens/Coverage';
import { CoveragePatient } from './screens/CoveragePatient';
import { NetworkAdmin } from './screens/NetworkAdmin';
import { Verification } from './screens/Verification';
import { FollowUpQueue } from './screens/FollowUpQueue';
import { ClinicianWeek, PatientWeek } from './screens/Week';
import { PatientAftercare } from './screens/PatientAftercare';
import { SiteContext, type SiteChoice } from './site';
import { EmptyState, ErrorNotice } from './ui/common';

const NAV = [
  { to: '/', label: 'Intake board' },
  { to: '/schedule', label: 'Schedule and placement' },
  { to: '/today', label: "Today's sessions" },
  { to: '/hours', label: 'Hours and outreach' },
  { to: '/aftercare', label: 'Aftercare' },
  { to: '/follow-ups', label: 'Follow-ups' },
  { to: '/coverage', label: 'Coverage' },
  { to: '/analytics', label: 'Attendance figures' },
  { to: '/network', label: 'Network administration' },
];

let cached: Session | null | undefined;
const readSession = () => {
  const now = currentSession();
  if (cached === undefined || cached?.token !== now?.token) cached = now;
  return cached;
};

export function App() {
  const session = useSyncExternalStore(onSessionChange, readSession);
  if (!session) return <SignIn />;
  return <SignedIn session={session} />;
}

function SignedIn({ session }: { session: Session }) {
  const path = usePath();
  // The sites this token may see: scheduling answers with exactly those, so the switcher offers no other.
  const sites = useQuery({ queryKey: ['sites'], queryFn: () => unwrap(scheduling.GET('/sites')) });
  const [siteId, setSiteId] = useState<string | null>(rememberedSite());
  const available = sites.data ?? [];
  const site: SiteChoice | undefined = available.find((s) => s.siteId === siteId) ?? available[0];
  useEffect(() => {
    if (site && site.siteId !== siteId) setSiteId(site.siteId);
  }, [site, siteId]);

  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 240, breakpoint: 'sm' }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Title order={2} size="h4">
            IOP console
          </Title>
          <Group>
            <Select
              aria-label="Site"
              placeholder="Site"
              data={available.map((s) => ({ value: s.siteId, label: s.name }))}
              value={site?.siteId ?? null}
              onChange={(value) => {
                if (!value) return;
                rememberSite(value);
                setSiteId(value);
              }}
              allowDeselect={false}
              w={260}
            />
            <Text size="sm" c="dimmed">
              {session.roles.join(', ').replaceAll('_', ' ')}
            </Text>
            <Button variant="default" size="xs" onClick={() => signOut()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Screens">
        {NAV.map((item) => (
          <NavLink
            key={item.to}
            href={item.to}
            label={item.label}
            variant="filled"
            active={item.to === '/' ? path === '/' || path.startsWith('/referrals') : path.startsWith(item.to)}
            onClick={(event) => {
              event.preventDefault();
              navigate(item.to);
            }}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        {sites.error ? <ErrorNotice error={sites.error} /> : null}
        {sites.isPending ? <Text>Loading your sites…</Text> : null}
        {sites.data && !site ? (
          <Stack>
            <Title order={1} size="h2" tabIndex={-1}>
              No site
            </Title>
            <EmptyState title="Your account has no site yet">Ask a network administrator to give your account a site, then sign in again.</EmptyState>
          </Stack>
        ) : null}
        {site ? (
          <SiteContext.Provider value={site} key={site.siteId}>
            <Screen path={path} />
          </SiteContext.Provider>
        ) : null}
      </AppShell.Main>
    </AppShell>
  );
}

function Screen({ path }: { path: string }) {
  let params: Record<string, string> | null;
  if (path === '/') return <IntakeBoard />;
  if (path === '/referrals/new') return <NewReferral />;
  if ((params = match('/referrals/:referralId', path))) return <ReferralPage referralId={params['referralId']!} />;
  if (path === '/schedule') return <Schedule />;
  if (path === '/today') return <Today />;
  if ((params = match('/sessions/:sessionId', path))) return <Roster sessionId={params['sessionId']!} />;
  if (path === '/hours') return <Hours />;
  if (path === '/aftercare') return <Discharges />;
  if (path === '/coverage') return <Coverage />;
  if ((params = match('/coverage/patients/:patientId', path))) return <CoveragePatient key={params['patientId']} patientId={params['patientId']!} />;
  if ((params = match('/coverage/verifications/:verificationId', path)))
    return <Verification key={params['verificationId']} verificationId={params['verificationId']!} />;
  if (path === '/analytics') return <Analytics />;
  if (path === '/network') return <NetworkAdmin />;
  if ((params = match('/aftercare/episodes/:episodeId', path))) return <PatientAftercare episodeId={params['episodeId']!} />;
  if (path === '/follow-ups') return <FollowUpQueue />;
  if ((params = match('/schedule/patients/:patientId', path))) return <PatientWeek key={params['patientId']} patientId={params['patientId']!} />;
  if ((params = match('/schedule/clinicians/:clinicianId', path))) return <ClinicianWeek key={params['clinicianId']} clinicianId={params['clinicianId']!} />;
  return (
    <Stack>
      <Title order={1} size="h2" tabIndex={-1}>
        Not found
      </Title>
      <EmptyState title="There is no such screen" action={{ label: 'Go to the intake board', to: '/' }}>
        The address may be mistyped or from an older version of the console.
      </EmptyState>
    </Stack>
  );
}
