import { Badge, Button, Card, Group, NativeSelect, NumberInput, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ServiceError, attendance, unwrap } from '../api/client';
import type { AttendanceRecord } from '../api/generated/attendance';
import { EmptyState, ErrorNotice, PageTitle, formatDateTime } from '../ui/common';
import { PatientName } from '../ui/PatientName';
import { GroupNotes } from './GroupNotes';

/** What "all present" records instead for one patient: late or left early (minutes), or not there. */
const EXCEPTIONS = ['late', 'left-early', 'no-show', 'excused'] as const;
type ExceptionStatus = (typeof EXCEPTIONS)[number];
interface Exception {
  readonly status: ExceptionStatus;
  readonly minutes: number;
}

/**
 * A session's roster: one click per patient, or everyone present at once with the exceptions (late, left early, no-show,
 * excused) marked first; when a patient is checked in or out one by one, late and early come from the times.
 */
export function Roster({ sessionId }: { sessionId: string }) {
  const queryClient = useQueryClient();
  const roster = useQuery({
    queryKey: ['roster', sessionId],
    queryFn: () => unwrap(attendance.GET('/sessions/{sessionId}/roster', { params: { path: { sessionId } } })),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['roster', sessionId] });
  const [exceptions, setExceptions] = useState<Record<string, Exception>>({});
  const allPresent = useMutation({
    mutationFn: () => {
      const { startsAt, endsAt } = roster.data!.session;
      const at = (e: Exception) =>
        e.status === 'late'
          ? new Date(Date.parse(startsAt) + e.minutes * 60_000).toISOString()
          : e.status === 'left-early'
            ? new Date(Date.parse(endsAt) - e.minutes * 60_000).toISOString()
            : undefined;
      const body = {
        allPresent: true,
        exceptions: Object.entries(exceptions).map(([patientId, e]) => ({ patientId, status: e.status, ...(at(e) ? { at: at(e) } : {}) })),
      };
      return unwrap(attendance.POST('/sessions/{sessionId}/attendance', { params: { path: { sessionId } }, body }));
    },
    onSuccess: () => {
      setExceptions({});
      return refresh();
    },
  });
  const setException = (patientId: string, exception: Exception | null) =>
    setExceptions(({ [patientId]: _dropped, ...rest }) => (exception ? { ...rest, [patientId]: exception } : rest));
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
            {Object.keys(exceptions).length === 0
              ? 'All present'
              : `All present, ${Object.keys(exceptions).length} exception${Object.keys(exceptions).length === 1 ? '' : 's'}`}
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
              <Table.Th>Exception for &quot;all present&quot;</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {entries.map((e) => (
              <Row
                key={e.patientId}
                sessionId={sessionId}
                patientId={e.patientId}
                record={e.record}
                onChange={refresh}
                exception={exceptions[e.patientId] ?? null}
                onException={(x) => setException(e.patientId, x)}
              />
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

function Row({
  sessionId,
  patientId,
  record,
  onChange,
  exception,
  onException,
}: {
  sessionId: string;
  patientId: string;
  record: AttendanceRecord | null;
  onChange: () => unknown;
  exception: Exception | null;
  onException: (exception: Exception | null) => void;
}) {
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
      <Table.Td>
        {!record ? (
          <Group gap="xs" wrap="nowrap">
            <NativeSelect
              size="xs"
              aria-label="Exception for all present"
              value={exception?.status ?? ''}
              data={[{ value: '', label: 'present' }, ...EXCEPTIONS.map((value) => ({ value, label: value.replace('-', ' ') }))]}
              onChange={(event) => {
                const status = event.currentTarget.value as ExceptionStatus | '';
                onException(status === '' ? null : { status, minutes: exception?.minutes ?? 15 });
              }}
            />
            {exception?.status === 'late' || exception?.status === 'left-early' ? (
              <NumberInput
                size="xs"
                w={90}
                min={1}
                max={600}
                aria-label={exception.status === 'late' ? 'Minutes late' : 'Minutes early'}
                value={exception.minutes}
                onChange={(value) => onException({ status: exception.status, minutes: typeof value === 'number' && value > 0 ? value : 1 })}
              />
            ) : null}
          </Group>
        ) : null}
      </Table.Td>
    </Table.Tr>
  );
}
