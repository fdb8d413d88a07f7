import { Badge, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ServiceError, attendance, unwrap } from '../api/client';
import type { AttendanceRecord } from '../api/generated/attendance';
import { EmptyState, ErrorNotice, PageTitle, formatDateTime } from '../ui/common';
import { PatientName } from '../ui/PatientName';
import { GroupNotes } from './GroupNotes';

/** A session's roster: one click per patient, or everyone present at once; late and early come from the times. */
export function Roster({ sessionId }: { sessionId: string }) {
  const queryClient = useQueryClient();
  const roster = useQuery({
    queryKey: ['roster', sessionId],
    queryFn: () => unwrap(attendance.GET('/sessions/{sessionId}/roster', { params: { path: { sessionId } } })),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['roster', sessionId] });
  const allPresent = useMutation({
    mutationFn: () =>
      unwrap(attendance.POST('/sessions/{sessionId}/attendance', { params: { path: { sessionId } }, body: { allPresent: true, exceptions: [] } })),
    onSuccess: refresh,
  });
  if (roster.error instanceof ServiceError && roster.error.problem.status === 403) {
    // A clinical supervisor may document (co-sign, lock) a session whose roster only attendance staff read.
    return (
      <Stack>
        <PageTitle>Session documentation</PageTitle>
        <Text size="sm">The roster is for attendance staff; this session&apos;s documentation is below.</Text>
        <Card withBorder component="section" aria-label="Group note">
          <GroupNotes sessionId={sessionId} />
        </Card>
      </Stack>
    );
  }
  if (roster.error) return <ErrorNotice error={roster.error} />;
  if (!roster.data) return <Text>Loading the roster…</Text>;
  const { session, entries } = roster.data;
  const unrecorded = entries.filter((e) => !e.record).length;
  return (
    <Stack>
      <PageTitle
        actions={
          <Button onClick={() => allPresent.mutate()} loading={allPresent.isPending} disabled={unrecorded === 0}>
            All present
          </Button>
        }
      >
        Roster · {session.kind.replaceAll('-', ' ')}
      </PageTitle>
      <Text size="sm">
        {formatDateTime(session.startsAt)} to {formatDateTime(session.endsAt)} · {session.delivery} · {entries.length} booked, {unrecorded} not yet recorded
      </Text>
      <ErrorNotice error={allPresent.error} />
      {entries.length === 0 ? (
        <EmptyState title="Nobody is booked in this session">Patients are booked when they are placed in the session&apos;s track.</EmptyState>
      ) : null}
      {entries.length > 0 ? (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Patient</Table.Th>
              <Table.Th>Attendance</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {entries.map((e) => (
              <Row key={e.patientId} sessionId={sessionId} patientId={e.patientId} record={e.record} onChange={refresh} />
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
      {session.kind !== 'individual' ? (
        <Card withBorder component="section" aria-label="Group note">
          <Title order={2} size="h4" mb="xs">
            Group note
          </Title>
          <GroupNotes sessionId={sessionId} />
        </Card>
      ) : null}
    </Stack>
  );
}

function Row({ sessionId, patientId, record, onChange }: { sessionId: string; patientId: string; record: AttendanceRecord | null; onChange: () => unknown }) {
  const checkIn = useMutation({
    mutationFn: () => unwrap(attendance.POST('/sessions/{sessionId}/check-ins', { params: { path: { sessionId } }, body: { patientId } })),
    onSuccess: onChange,
  });
  const checkOut = useMutation({
    mutationFn: () => unwrap(attendance.POST('/sessions/{sessionId}/check-outs', { params: { path: { sessionId } }, body: { patientId } })),
    onSuccess: onChange,
  });
  return (
    <Table.Tr>
      <Table.Td>
        <PatientName patientId={patientId} />
      </Table.Td>
      <Table.Td>
        {record ? (
          <Group gap="xs">
            <Badge color={record.status === 'attended' ? 'teal.9' : record.status === 'no-show' ? 'red.9' : 'yellow.3'}>
              {record.status.replaceAll('-', ' ')}
            </Badge>
            {record.lateMinutes > 0 ? <Text size="sm">{record.lateMinutes} min late</Text> : null}
            {record.earlyMinutes > 0 ? <Text size="sm">left {record.earlyMinutes} min early</Text> : null}
          </Group>
        ) : (
          <Text size="sm" c="dimmed">
            not recorded
          </Text>
        )}
        <ErrorNotice error={checkIn.error ?? checkOut.error} />
      </Table.Td>
      <Table.Td>
        <Group gap="xs">
          {!record ? (
            <Button size="xs" onClick={() => checkIn.mutate()} loading={checkIn.isPending}>
              Check in
            </Button>
          ) : null}
          {record?.checkInAt && !record.checkOutAt ? (
            <Button size="xs" variant="default" onClick={() => checkOut.mutate()} loading={checkOut.isPending}>
              Check out
            </Button>
          ) : null}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}
