import { Badge, Stack, Table, Text, Title } from '@mantine/core';
import { useQueries, useQuery } from '@tanstack/react-query';
import { attendance, query, scheduling, unwrap } from '../api/client';
import type { PatientAttendance } from '../api/generated/attendance';
import { addDays, mondayOf, todayIn, useSite } from '../site';
import { AppLink, EmptyState, ErrorNotice, PageTitle, formatDateTime } from '../ui/common';
import { PatientName } from '../ui/PatientName';

const WEEKS = 6;

/** Attended hours against the plan's weekly minimum, patients by week; who is at risk; the outreach queue. */
export function Hours() {
  const site = useSite();
  const thisMonday = mondayOf(todayIn(site.timeZone));
  const from = addDays(thisMonday, -7 * (WEEKS - 1));
  const to = addDays(thisMonday, 6);
  const placed = useQuery({
    queryKey: ['placed', site.siteId],
    queryFn: () =>
      unwrap(scheduling.GET('/sites/{siteId}/enrolments', { params: { path: { siteId: site.siteId } }, ...query({ status: 'placed', limit: 50 }) })),
  });
  const patients = placed.data?.items ?? [];
  const hours = useQueries({
    queries: patients.map((e) => ({
      queryKey: ['hours', site.siteId, e.patientId, from],
      queryFn: () =>
        unwrap(
          attendance.GET('/patients/{patientId}/attendance', { params: { path: { patientId: e.patientId } }, ...query({ siteId: site.siteId, from, to }) }),
        ),
    })),
  });
  const outreach = useQuery({
    queryKey: ['outreach', site.siteId],
    queryFn: () => unwrap(attendance.GET('/sites/{siteId}/outreach', { params: { path: { siteId: site.siteId } } })),
  });
  const weeks = Array.from({ length: WEEKS }, (_, i) => addDays(from, 7 * i));
  const loaded = hours.map((h) => h.data).filter((h): h is PatientAttendance => !!h);
  // At risk: a finished week below the plan's minimum.
  const atRisk = loaded.filter((h) => h.weeks.some((w) => w.weekStart < thisMonday && w.minimumMet === false));

  return (
    <Stack>
      <PageTitle>Hours · {site.name}</PageTitle>
      <ErrorNotice error={placed.error ?? hours.find((h) => h.error)?.error} />
      <Title order={2} size="h3">
        Attended hours by week
      </Title>
      {placed.data && patients.length === 0 ? (
        <EmptyState title="No patient is placed in a track yet" action={{ label: 'Open the placement queue', to: '/schedule' }}>
          Hours appear once patients are placed and their sessions are recorded.
        </EmptyState>
      ) : null}
      {loaded.length > 0 ? (
        <Table withTableBorder withColumnBorders>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Patient</Table.Th>
              {weeks.map((w) => (
                <Table.Th key={w}>Week of {w.slice(5)}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {loaded.map((h) => (
              <Table.Tr key={h.patientId}>
                <Table.Td>
                  <PatientName patientId={h.patientId} /> · <AppLink to={`/schedule/patients/${h.patientId}`}>week</AppLink>
                </Table.Td>
                {weeks.map((w) => {
                  const week = h.weeks.find((x) => x.weekStart === w);
                  if (!week || week.scheduledMinutes === 0) return <Table.Td key={w}>–</Table.Td>;
                  const color = week.minimumMet === false ? (w < thisMonday ? 'red.1' : 'yellow.1') : 'green.1';
                  return (
                    <Table.Td key={w} bg={color}>
                      {hoursText(week.attendedMinutes)}
                      {week.weeklyMinimumMinutes ? ` of ${hoursText(week.weeklyMinimumMinutes)}` : ''}
                      {week.minimumMet === false && w < thisMonday ? ' (below)' : ''}
                    </Table.Td>
                  );
                })}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
      <Title order={2} size="h3">
        At risk
      </Title>
      {loaded.length > 0 && atRisk.length === 0 ? <Text size="sm">Every patient met their plan&apos;s minimum in the finished weeks.</Text> : null}
      {atRisk.map((h) => (
        <Text key={h.patientId} size="sm">
          <PatientName patientId={h.patientId} />: below the minimum in {h.weeks.filter((w) => w.weekStart < thisMonday && w.minimumMet === false).length}{' '}
          week(s)
        </Text>
      ))}
      <Title order={2} size="h3">
        Outreach
      </Title>
      <ErrorNotice error={outreach.error} />
      {outreach.data && outreach.data.items.length === 0 ? (
        <Text size="sm">Nobody has missed two sessions in a row. Patients who do appear here for a call.</Text>
      ) : null}
      {outreach.data && outreach.data.items.length > 0 ? (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Patient</Table.Th>
              <Table.Th>Missed sessions</Table.Th>
              <Table.Th>Raised</Table.Th>
              <Table.Th>Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {outreach.data.items.map((o) => (
              <Table.Tr key={o.outreachId}>
                <Table.Td>
                  <PatientName patientId={o.patientId} />
                </Table.Td>
                <Table.Td>{o.missedSessionIds.length}</Table.Td>
                <Table.Td>{formatDateTime(o.raisedAt)}</Table.Td>
                <Table.Td>
                  <Badge>{o.status}</Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
    </Stack>
  );
}

const hoursText = (minutes: number) => `${Math.round(minutes / 6) / 10} h`;
