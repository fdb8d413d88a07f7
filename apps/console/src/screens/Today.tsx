import { Badge, Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { attendance, query, unwrap } from '../api/client';
import { addDays, todayIn, useSite } from '../site';
import { AppLink, EmptyState, ErrorNotice, PageTitle, formatDateTime } from '../ui/common';

/** The site's sessions on one local day, each opening its roster for check-in. */
export function Today() {
  const site = useSite();
  const [date, setDate] = useState(todayIn(site.timeZone));
  const day = useQuery({
    queryKey: ['day', site.siteId, date],
    queryFn: () => unwrap(attendance.GET('/sites/{siteId}/sessions', { params: { path: { siteId: site.siteId } }, ...query({ date }) })),
  });
  return (
    <Stack>
      <PageTitle>Sessions · {site.name}</PageTitle>
      <Group align="end">
        <TextInput label="Day" type="date" value={date} onChange={(e) => e.currentTarget.value && setDate(e.currentTarget.value)} />
        <Button variant="default" onClick={() => setDate(addDays(date, -1))}>
          Day before
        </Button>
        <Button variant="default" onClick={() => setDate(todayIn(site.timeZone))}>
          Today
        </Button>
        <Button variant="default" onClick={() => setDate(addDays(date, 1))}>
          Day after
        </Button>
      </Group>
      <ErrorNotice error={day.error} />
      {day.isPending ? <Text>Loading the day…</Text> : null}
      {day.data && day.data.sessions.length === 0 ? (
        <EmptyState title="No sessions on this day" action={{ label: 'Open the schedule', to: '/schedule' }}>
          Sessions come from the site&apos;s tracks and appointments. Pick another day, or check the schedule.
        </EmptyState>
      ) : null}
      {day.data && day.data.sessions.length > 0 ? (
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Time ({day.data.timeZone})</Table.Th>
              <Table.Th>Session</Table.Th>
              <Table.Th>Delivery</Table.Th>
              <Table.Th>Booked</Table.Th>
              <Table.Th>Recorded</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {day.data.sessions.map((s) => (
              <Table.Tr key={s.sessionId}>
                <Table.Td>{formatDateTime(s.startsAt, day.data.timeZone)}</Table.Td>
                <Table.Td>
                  <AppLink to={`/sessions/${s.sessionId}`}>{s.kind.replaceAll('-', ' ')}</AppLink>{' '}
                  {s.status === 'cancelled' ? <Badge color="gray.8">cancelled</Badge> : null}
                </Table.Td>
                <Table.Td>{s.delivery}</Table.Td>
                <Table.Td>{s.booked}</Table.Td>
                <Table.Td>
                  {s.recorded} of {s.booked}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
      <Text size="xs" c="dimmed">
        Times are the site&apos;s ({site.timeZone}).
      </Text>
    </Stack>
  );
}
