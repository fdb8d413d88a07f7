import { Badge, Button, Card, Group, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { query, scheduling, unwrap } from '../api/client';
import type { Enrolment } from '../api/generated/scheduling';
import { useSite } from '../site';
import { AppLink, EmptyState, ErrorNotice, PageTitle } from '../ui/common';
import { PatientName } from '../ui/PatientName';
import { WeekGrid, useWeek } from './Week';

/** The site's week in the site's own time zone (the services give local dates and times), and the placement queue. */
export function Schedule() {
  const { site, monday, sunday, buttons } = useWeek();
  const path = { params: { path: { siteId: site.siteId } } };
  const sessions = useQuery({
    queryKey: ['week', site.siteId, monday],
    queryFn: () => unwrap(scheduling.GET('/sites/{siteId}/sessions', { ...path, ...query({ from: monday, to: sunday, limit: 500 }) })),
  });
  const tracks = useQuery({ queryKey: ['tracks', site.siteId], queryFn: () => unwrap(scheduling.GET('/sites/{siteId}/tracks', path)) });
  const rooms = useQuery({ queryKey: ['rooms', site.siteId], queryFn: () => unwrap(scheduling.GET('/sites/{siteId}/rooms', path)) });
  const clinicians = useQuery({ queryKey: ['clinicians', site.siteId], queryFn: () => unwrap(scheduling.GET('/sites/{siteId}/clinicians', path)) });
  const trackName = new Map((tracks.data ?? []).map((t) => [t.trackId, t.name]));
  const roomName = new Map((rooms.data ?? []).map((r) => [r.roomId, r.name]));
  const clinicianName = new Map((clinicians.data ?? []).map((c) => [c.clinicianId, c.displayName]));

  return (
    <Stack>
      <PageTitle actions={buttons}>Schedule · {site.name}</PageTitle>
      <Text size="sm">
        Week of {monday} to {sunday}, times in {site.timeZone}
      </Text>
      <ErrorNotice error={sessions.error ?? tracks.error} />
      {sessions.data ? (
        <WeekGrid
          monday={monday}
          entries={sessions.data.items.map((s) => ({ ...s, id: s.sessionId, cancelled: s.status === 'cancelled' }))}
          nothing="No sessions"
          empty={
            <EmptyState title="No sessions this week">
              A site administrator defines programs, rooms, clinicians and tracks; a track&apos;s sessions then appear here week by week.
            </EmptyState>
          }
          card={(s) => (
            <>
              <Text size="sm" fw={600}>
                {s.localStart.slice(11)}–{s.localEnd.slice(11)}
              </Text>
              <Text size="xs">{trackName.get(s.trackId) ?? 'Track'}</Text>
              <Text size="xs">{s.topic}</Text>
              <Text size="xs" c="dimmed">
                {roomName.get(s.roomId) ?? 'room'} · <AppLink to={`/schedule/clinicians/${s.leaderId}`}>{clinicianName.get(s.leaderId) ?? 'clinician'}</AppLink>
              </Text>
              <Text size="xs">
                {s.bookedSeats}/{s.capacity} seats{s.cancelled ? ' · cancelled' : ''}
              </Text>
            </>
          )}
        />
      ) : null}
      <PlacementQueue />
    </Stack>
  );
}

function PlacementQueue() {
  const site = useSite();
  const [cursors, setCursors] = useState<string[]>([]);
  const queue = useQuery({
    queryKey: ['placement-queue', site.siteId, cursors.at(-1)],
    queryFn: () =>
      unwrap(
        scheduling.GET('/sites/{siteId}/enrolments', {
          params: { path: { siteId: site.siteId } },
          ...query({ status: 'awaiting-placement', limit: 25, cursor: cursors.at(-1) }),
        }),
      ),
  });
  return (
    <Stack component="section" aria-label="Placement queue" mt="lg">
      <Title order={2} size="h3">
        Placement queue
      </Title>
      <ErrorNotice error={queue.error} />
      {queue.data && queue.data.items.length === 0 ? (
        <EmptyState title="Nobody is waiting for a track">Patients appear here when intake admits them; place each in a track with free seats.</EmptyState>
      ) : null}
      {queue.data?.items.map((e) => (
        <Placement key={e.enrolmentId} enrolment={e} />
      ))}
      {queue.data && (queue.data.nextCursor || cursors.length > 0) ? (
        <Group>
          <Button variant="default" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous page
          </Button>
          <Button variant="default" disabled={!queue.data.nextCursor} onClick={() => setCursors([...cursors, queue.data.nextCursor!])}>
            Next page
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}

function Placement({ enrolment }: { enrolment: Enrolment }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const suggestions = useQuery({
    queryKey: ['suggestions', enrolment.enrolmentId],
    queryFn: () => unwrap(scheduling.GET('/enrolments/{enrolmentId}/track-suggestions', { params: { path: { enrolmentId: enrolment.enrolmentId } } })),
    enabled: open,
  });
  const place = useMutation({
    mutationFn: (trackId: string) =>
      unwrap(scheduling.POST('/enrolments/{enrolmentId}/placement', { params: { path: { enrolmentId: enrolment.enrolmentId } }, body: { trackId } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['placement-queue'] }).then(() => queryClient.invalidateQueries({ queryKey: ['week'] })),
  });
  return (
    <Card withBorder>
      <Group justify="space-between">
        <Stack gap={2}>
          <Text fw={600}>
            <PatientName patientId={enrolment.patientId} />
          </Text>
          <Text size="sm">
            {enrolment.programType.replace('-', ' ')}, level {enrolment.levelOfCare}, {Math.round(enrolment.plannedWeeklyMinutes / 6) / 10} h a week from{' '}
            {enrolment.plannedStart} · <AppLink to={`/referrals/${enrolment.referralId}`}>referral</AppLink>
          </Text>
        </Stack>
        <Button variant="light" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? 'Hide tracks' : 'Suggest tracks'}
        </Button>
      </Group>
      {open ? (
        <Stack mt="sm" gap="xs">
          <ErrorNotice error={suggestions.error ?? place.error} />
          {suggestions.data && suggestions.data.length === 0 ? (
            <Text size="sm">No track of this program kind has room: add a track, or put the patient on the waitlist.</Text>
          ) : null}
          {suggestions.data && suggestions.data.length > 0 ? (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Track</Table.Th>
                  <Table.Th>Free seats</Table.Th>
                  <Table.Th>Hours a week</Table.Th>
                  <Table.Th>First date</Table.Th>
                  <Table.Th>Why</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Action</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {suggestions.data.map((t) => (
                  <Table.Tr key={t.trackId}>
                    <Table.Td>
                      {t.rank === 1 ? <Badge mr={6}>best fit</Badge> : null}
                      {t.name}
                    </Table.Td>
                    <Table.Td>{t.freeSeats}</Table.Td>
                    <Table.Td>{Math.round(t.weeklyMinutes / 6) / 10}</Table.Td>
                    <Table.Td>{t.firstDate ?? '–'}</Table.Td>
                    <Table.Td>{t.reasons.join('; ')}</Table.Td>
                    <Table.Td>
                      <Button size="xs" loading={place.isPending && place.variables === t.trackId} onClick={() => place.mutate(t.trackId)}>
                        Place in {t.name}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : null}
        </Stack>
      ) : null}
    </Card>
  );
}
