import { Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { query, scheduling, unwrap } from '../api/client';
import { addDays, mondayOf, todayIn, useSite } from '../site';
import { EmptyState, ErrorNotice, PageTitle } from '../ui/common';
import { PatientName } from '../ui/PatientName';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** One entry of a person's week, in the site's local time as scheduling gives it. */
interface Entry {
  readonly id: string;
  readonly localDate: string;
  readonly localStart: string;
  readonly localEnd: string;
  readonly title: string;
  readonly detail: string;
  readonly cancelled: boolean;
}

/** Monday..Sunday of the site's current week, with buttons to move a week at a time. */
export function useWeek() {
  const site = useSite();
  const [monday, setMonday] = useState(mondayOf(todayIn(site.timeZone)));
  const buttons = (
    <Group>
      <Button variant="default" onClick={() => setMonday(addDays(monday, -7))}>
        Previous week
      </Button>
      <Button variant="default" onClick={() => setMonday(mondayOf(todayIn(site.timeZone)))}>
        This week
      </Button>
      <Button variant="default" onClick={() => setMonday(addDays(monday, 7))}>
        Next week
      </Button>
    </Group>
  );
  return { site, monday, sunday: addDays(monday, 6), buttons };
}

/**
 * A week as seven day columns (Monday first), each entry a card that `card` fills; `empty` in place of the grid when
 * the week has no entry, `nothing` under a day without one.
 */
export function WeekGrid<E extends { readonly id: string; readonly localDate: string; readonly cancelled: boolean }>({
  monday,
  entries,
  empty,
  nothing = 'Nothing planned',
  card,
}: {
  monday: string;
  entries: readonly E[];
  empty: ReactNode;
  nothing?: string;
  card: (entry: E) => ReactNode;
}) {
  if (entries.length === 0) return <>{empty}</>;
  return (
    <SimpleGrid cols={{ base: 1, md: 7 }} spacing="xs">
      {WEEKDAYS.map((day, i) => {
        const date = addDays(monday, i);
        const today = entries.filter((e) => e.localDate === date);
        return (
          <Stack key={date} gap={6} component="section" aria-label={`${day} ${date}`}>
            <Title order={2} size="h5">
              {day} {date.slice(5)}
            </Title>
            {today.length === 0 ? (
              <Text size="xs" c="dimmed">
                {nothing}
              </Text>
            ) : null}
            {today.map((e) => (
              <Card key={e.id} withBorder p="xs" bg={e.cancelled ? 'gray.1' : undefined}>
                {card(e)}
              </Card>
            ))}
          </Stack>
        );
      })}
    </SimpleGrid>
  );
}

/** A person's entry: its times, what it is, where and with whom. */
function entryCard(e: Entry) {
  return (
    <>
      <Text size="sm" fw={600}>
        {e.localStart}–{e.localEnd}
      </Text>
      <Text size="xs">{e.title}</Text>
      <Text size="xs" c="dimmed">
        {e.detail}
      </Text>
      {e.cancelled ? <Badge color="gray.8">cancelled</Badge> : null}
    </>
  );
}

/** Names of the site's rooms and clinicians, for the cards. */
function useSiteNames(siteId: string) {
  const path = { params: { path: { siteId } } };
  const rooms = useQuery({ queryKey: ['rooms', siteId], queryFn: () => unwrap(scheduling.GET('/sites/{siteId}/rooms', path)) });
  const clinicians = useQuery({ queryKey: ['clinicians', siteId], queryFn: () => unwrap(scheduling.GET('/sites/{siteId}/clinicians', path)) });
  return {
    room: (id: string | null, telehealth: boolean) =>
      telehealth ? 'telehealth' : ((id && (rooms.data ?? []).find((r) => r.roomId === id)?.name) ?? 'room to be set'),
    clinician: (id: string) => (clinicians.data ?? []).find((c) => c.clinicianId === id)?.displayName ?? 'clinician',
  };
}

/** A patient's week at the site: their group sessions and appointments (scheduling audits the read). */
export function PatientWeek({ patientId }: { patientId: string }) {
  const { site, monday, sunday, buttons } = useWeek();
  const names = useSiteNames(site.siteId);
  const week = useQuery({
    queryKey: ['patient-week', patientId, site.siteId, monday],
    queryFn: () =>
      unwrap(
        scheduling.GET('/patients/{patientId}/schedule', { params: { path: { patientId } }, ...query({ siteId: site.siteId, from: monday, to: sunday }) }),
      ),
  });
  const entries: Entry[] = (week.data?.items ?? []).map((i) => ({
    id: i.id,
    localDate: i.localDate,
    localStart: i.localStart,
    localEnd: i.localEnd,
    title: i.kind === 'group-session' ? `Group: ${i.title}` : `Appointment: ${i.title}`,
    detail: `${names.room(i.roomId, i.telehealth)} · ${names.clinician(i.clinicianId)}`,
    cancelled: i.status === 'cancelled',
  }));
  return (
    <Stack>
      <PageTitle actions={buttons}>
        Week of <PatientName patientId={patientId} />
      </PageTitle>
      <Text size="sm">
        {monday} to {sunday} at {site.name}, times in {site.timeZone}
      </Text>
      <ErrorNotice error={week.error} />
      {week.isPending ? <Text>Loading the week…</Text> : null}
      {week.data ? (
        <WeekGrid
          monday={monday}
          entries={entries}
          card={entryCard}
          empty={
            <EmptyState title="Nothing planned this week" action={{ label: 'Open the placement queue', to: '/schedule' }}>
              A patient&apos;s sessions appear once they are placed in a track; appointments once a clinician books one.
            </EmptyState>
          }
        />
      ) : null}
    </Stack>
  );
}

/** A clinician's week: the group sessions they lead or co-lead and their appointments. */
export function ClinicianWeek({ clinicianId }: { clinicianId: string }) {
  const { site, monday, sunday, buttons } = useWeek();
  const names = useSiteNames(site.siteId);
  const week = useQuery({
    queryKey: ['clinician-week', clinicianId, monday],
    queryFn: () => unwrap(scheduling.GET('/clinicians/{clinicianId}/schedule', { params: { path: { clinicianId } }, ...query({ from: monday, to: sunday }) })),
  });
  const entries: Entry[] = (week.data?.items ?? []).map((i) => ({
    id: i.id,
    localDate: i.localStart.slice(0, 10),
    localStart: i.localStart.slice(11),
    localEnd: i.localEnd.slice(11),
    title: i.kind === 'group-session' ? `Group session (${i.role})` : 'Appointment',
    detail: names.room(i.roomId, i.telehealth),
    cancelled: i.status === 'cancelled',
  }));
  return (
    <Stack>
      <PageTitle actions={buttons}>Week of {names.clinician(clinicianId)}</PageTitle>
      <Text size="sm">
        {monday} to {sunday}
        {week.data ? ` at ${week.data.siteName}, times in ${week.data.timeZone}` : ''}
      </Text>
      <ErrorNotice error={week.error} />
      {week.isPending ? <Text>Loading the week…</Text> : null}
      {week.data ? (
        <WeekGrid
          monday={monday}
          entries={entries}
          card={entryCard}
          empty={
            <EmptyState title="Nothing planned this week" action={{ label: 'Open the site schedule', to: '/schedule' }}>
              A clinician&apos;s week fills when a track names them as leader or co-leader, or an appointment is booked with them.
            </EmptyState>
          }
        />
      ) : null}
    </Stack>
  );
}
