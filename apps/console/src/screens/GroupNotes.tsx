import { Alert, Badge, Button, Card, Checkbox, Group, NativeSelect, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ServiceError, attendance, unwrap } from '../api/client';
import type { GroupNote, paths } from '../api/generated/attendance';
import { currentSession } from '../auth/session';
import { ErrorNotice, fieldError, formatDateTime } from '../ui/common';
import { PatientName } from '../ui/PatientName';

type GroupNoteBody = paths['/sessions/{sessionId}/group-note']['put']['requestBody']['content']['application/json'];

const PARTICIPATION = ['active', 'moderate', 'minimal', 'withdrawn', 'disruptive'] as const;
/** Attendance lets these roles write, sign and read notes; co-signing is the supervisor's alone. */
const NOTE_WRITERS = ['clinician', 'clinical_supervisor'];

/**
 * A group session's documentation, on its roster: the group note (topic, interventions, summary), each attendee's
 * progress note, then sign (the writer), co-sign (a clinical supervisor, when the writer is not one) and lock.
 * Once signed, only addenda add to it.
 */
export function GroupNotes({ sessionId }: { sessionId: string }) {
  const roles = currentSession()?.roles ?? [];
  if (!roles.some((r) => NOTE_WRITERS.includes(r))) {
    return (
      <Text size="sm" c="dimmed">
        Group and progress notes are written and read by clinicians and clinical supervisors: sign in with one of those roles to document this session.
      </Text>
    );
  }
  return <NoteEditor sessionId={sessionId} isSupervisor={roles.includes('clinical_supervisor')} />;
}

function NoteEditor({ sessionId, isSupervisor }: { sessionId: string; isSupervisor: boolean }) {
  const queryClient = useQueryClient();
  const note = useQuery({
    queryKey: ['group-note', sessionId],
    // No note yet is a 404 for this session: an empty form, not an error.
    queryFn: async () => {
      try {
        return await unwrap(attendance.GET('/sessions/{sessionId}/group-note', { params: { path: { sessionId } } }));
      } catch (error) {
        if (error instanceof ServiceError && error.problem.status === 404 && error.problem.code === 'group-note.not-found') return null;
        throw error;
      }
    },
    retry: false,
  });
  const store = (saved: GroupNote) => queryClient.setQueryData(['group-note', sessionId], saved);
  const sign = useSignature('/sessions/{sessionId}/group-note/sign', sessionId, store);
  const coSign = useSignature('/sessions/{sessionId}/group-note/co-sign', sessionId, store);
  const lock = useSignature('/sessions/{sessionId}/group-note/lock', sessionId, store);
  if (note.error) return <ErrorNotice error={note.error} />;
  if (note.isPending) return <Text>Loading the group note…</Text>;
  const n = note.data;
  const s = n?.signatures;
  const canLock = n?.status === 'co-signed' || (n?.status === 'signed' && s?.needsCoSignature === false);
  return (
    <Stack gap="sm">
      {n ? (
        <Group gap="xs">
          <Badge color={n.status === 'locked' ? 'teal.9' : n.status === 'draft' ? 'gray.8' : 'blue.9'}>{n.status.replace('-', ' ')}</Badge>
          <Text size="sm">
            Revision {n.revision}, by {n.writtenBy}
            {s?.signedAt ? ` · signed ${formatDateTime(s.signedAt)} by ${s.signedBy}` : ''}
            {s?.needsCoSignature && !s.coSignedAt ? ' · awaiting a clinical supervisor’s co-signature' : ''}
            {s?.coSignedAt ? ` · co-signed ${formatDateTime(s.coSignedAt)} by ${s.coSignedBy}` : ''}
            {s?.lockedAt ? ` · locked ${formatDateTime(s.lockedAt)}` : ''}
          </Text>
        </Group>
      ) : null}
      {!n || n.status === 'draft' ? <GroupNoteForm sessionId={sessionId} note={n ?? null} onSaved={store} /> : <SignedGroupNote note={n} />}
      {n ? (
        <>
          <Title order={3} size="h5">
            Attendees&apos; progress notes
          </Title>
          {n.attendees.length === 0 ? (
            <Text size="sm">Nobody is recorded as attending yet: check patients in above, then write their progress notes here.</Text>
          ) : (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Patient</Table.Th>
                  <Table.Th>Attendance</Table.Th>
                  <Table.Th>Progress note</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {n.attendees.map((a) => (
                  <Table.Tr key={a.patientId}>
                    <Table.Td>
                      <PatientName patientId={a.patientId} />
                    </Table.Td>
                    <Table.Td>
                      {a.attendanceStatus.replaceAll('-', ' ')}, {a.attendedMinutes} min
                    </Table.Td>
                    <Table.Td>
                      <ProgressNoteCell sessionId={sessionId} patientId={a.patientId} written={a.progressNoteId !== null} editable={n.status === 'draft'} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          <ErrorNotice error={sign.error ?? coSign.error ?? lock.error} />
          <Group>
            {n.status === 'draft' ? (
              <Button onClick={() => sign.mutate()} loading={sign.isPending}>
                Sign the group note and progress notes
              </Button>
            ) : null}
            {n.status === 'signed' && s?.needsCoSignature && isSupervisor ? (
              <Button onClick={() => coSign.mutate()} loading={coSign.isPending}>
                Co-sign
              </Button>
            ) : null}
            {canLock ? (
              <Button variant="default" onClick={() => lock.mutate()} loading={lock.isPending}>
                Lock the documentation
              </Button>
            ) : null}
          </Group>
          {n.status !== 'draft' ? (
            <Addendum sessionId={sessionId} onSaved={() => queryClient.invalidateQueries({ queryKey: ['group-note', sessionId] })} />
          ) : null}
        </>
      ) : null}
    </Stack>
  );
}

type SignaturePath = '/sessions/{sessionId}/group-note/sign' | '/sessions/{sessionId}/group-note/co-sign' | '/sessions/{sessionId}/group-note/lock';

/** Sign, co-sign or lock: the service answers with the note as it now stands. */
function useSignature(path: SignaturePath, sessionId: string, onDone: (n: GroupNote) => void) {
  return useMutation({ mutationFn: () => unwrap(attendance.POST(path, { params: { path: { sessionId } } })), onSuccess: onDone });
}

function GroupNoteForm({ sessionId, note, onSaved }: { sessionId: string; note: GroupNote | null; onSaved: (n: GroupNote) => void }) {
  const [topic, setTopic] = useState(note?.topic ?? '');
  const [interventions, setInterventions] = useState<string[]>(note?.interventions ?? []);
  const [summary, setSummary] = useState(note?.summary ?? '');
  // The network may configure its own list (ATTENDANCE_GROUP_INTERVENTIONS): offer exactly what the service accepts.
  const offered = useQuery({
    queryKey: ['group-note-interventions'],
    queryFn: () => unwrap(attendance.GET('/group-note-interventions')),
    staleTime: Infinity,
  });
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        attendance.PUT('/sessions/{sessionId}/group-note', {
          params: { path: { sessionId } },
          body: { topic, interventions: interventions as GroupNoteBody['interventions'], summary },
        }),
      ),
    onSuccess: onSaved,
  });
  const err = (field: string) => fieldError(save.error, field);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack gap="xs">
        <TextInput label="Topic" value={topic} onChange={(e) => setTopic(e.currentTarget.value)} error={err('topic')} />
        <Checkbox.Group label="Interventions" value={interventions} onChange={setInterventions} error={err('interventions')}>
          <Group gap="md" mt={4}>
            {(offered.data?.interventions ?? []).map((i) => (
              <Checkbox key={i} value={i} label={i.replaceAll('-', ' ')} />
            ))}
          </Group>
        </Checkbox.Group>
        <Textarea label="Group summary" autosize minRows={3} value={summary} onChange={(e) => setSummary(e.currentTarget.value)} error={err('summary')} />
        <ErrorNotice error={offered.error} />
        <ErrorNotice error={save.error} fields={['topic', 'interventions', 'summary']} />
        <Group>
          <Button type="submit" loading={save.isPending}>
            Save the group note
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function SignedGroupNote({ note }: { note: GroupNote }) {
  return (
    <Stack gap={4}>
      <Text size="sm">
        <b>Topic:</b> {note.topic}
      </Text>
      <Text size="sm">
        <b>Interventions:</b> {note.interventions.map((i) => i.replaceAll('-', ' ')).join(', ')}
      </Text>
      <Text size="sm">
        <b>Summary:</b> {note.summary}
      </Text>
      {note.addenda.map((a) => (
        <Text key={a.addendumId} size="sm">
          <b>Addendum</b> ({a.author}, {formatDateTime(a.addedAt)}): {a.text}
        </Text>
      ))}
    </Stack>
  );
}

function ProgressNoteCell({ sessionId, patientId, written, editable }: { sessionId: string; patientId: string; written: boolean; editable: boolean }) {
  const [open, setOpen] = useState(false);
  if (!editable) return <Text size="sm">{written ? 'written, signed with the group note' : 'none'}</Text>;
  return (
    <Stack gap={4}>
      <Group gap="xs">
        <Text size="sm">{written ? 'written' : 'not written yet'}</Text>
        <Button size="xs" variant="default" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? 'Close' : written ? 'Edit the progress note' : 'Write the progress note'}
        </Button>
      </Group>
      {open ? <ProgressNoteForm sessionId={sessionId} patientId={patientId} onSaved={() => setOpen(false)} /> : null}
    </Stack>
  );
}

function ProgressNoteForm({ sessionId, patientId, onSaved }: { sessionId: string; patientId: string; onSaved: () => void }) {
  const queryClient = useQueryClient();
  const existing = useQuery({
    queryKey: ['progress-note', sessionId, patientId],
    queryFn: () => unwrap(attendance.GET('/sessions/{sessionId}/progress-notes/{patientId}', { params: { path: { sessionId, patientId } } })),
  });
  if (existing.error) return <ErrorNotice error={existing.error} />;
  if (!existing.data) return <Text size="sm">Loading the progress note…</Text>;
  return (
    <ProgressNoteFields
      sessionId={sessionId}
      patientId={patientId}
      initial={existing.data.individual}
      onSaved={() => {
        void queryClient.invalidateQueries({ queryKey: ['group-note', sessionId] });
        void queryClient.invalidateQueries({ queryKey: ['progress-note', sessionId, patientId] });
        onSaved();
      }}
    />
  );
}

function ProgressNoteFields(props: {
  sessionId: string;
  patientId: string;
  initial: { participation: (typeof PARTICIPATION)[number]; response: string; nextSteps: string | null } | null;
  onSaved: () => void;
}) {
  const { sessionId, patientId, initial, onSaved } = props;
  const [participation, setParticipation] = useState<(typeof PARTICIPATION)[number]>(initial?.participation ?? 'active');
  const [response, setResponse] = useState(initial?.response ?? '');
  const [nextSteps, setNextSteps] = useState(initial?.nextSteps ?? '');
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        attendance.PUT('/sessions/{sessionId}/progress-notes/{patientId}', {
          params: { path: { sessionId, patientId } },
          body: { participation, response, ...(nextSteps ? { nextSteps } : {}) },
        }),
      ),
    onSuccess: onSaved,
  });
  const err = (field: string) => fieldError(save.error, field);
  return (
    <Card withBorder p="xs">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack gap="xs">
          <NativeSelect
            label="Participation"
            data={[...PARTICIPATION]}
            value={participation}
            onChange={(e) => setParticipation(e.currentTarget.value as (typeof PARTICIPATION)[number])}
            error={err('participation')}
          />
          <Textarea
            label="Response to the interventions"
            autosize
            minRows={2}
            value={response}
            onChange={(e) => setResponse(e.currentTarget.value)}
            error={err('response')}
          />
          <TextInput label="Next steps" value={nextSteps} onChange={(e) => setNextSteps(e.currentTarget.value)} error={err('nextSteps')} />
          <Text size="xs" c="dimmed">
            Treatment-plan goals are rated by their number in the plan version; that part is not in the console yet.
          </Text>
          <ErrorNotice error={save.error} fields={['participation', 'response', 'nextSteps']} />
          <Group>
            <Button type="submit" size="xs" loading={save.isPending}>
              Save the progress note
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function Addendum({ sessionId, onSaved }: { sessionId: string; onSaved: () => void }) {
  const [text, setText] = useState('');
  const add = useMutation({
    mutationFn: () => unwrap(attendance.POST('/sessions/{sessionId}/group-note/addenda', { params: { path: { sessionId } }, body: { text } })),
    onSuccess: () => {
      setText('');
      onSaved();
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate();
      }}
    >
      <Stack gap="xs">
        <Alert color="gray" title="Signed documentation">
          It can no longer be edited; add an addendum to correct or complete it.
        </Alert>
        <Textarea
          label="Addendum to the group note"
          autosize
          minRows={2}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          error={fieldError(add.error, 'text')}
        />
        <ErrorNotice error={add.error} fields={['text']} />
        <Group>
          <Button type="submit" variant="default" loading={add.isPending}>
            Add the addendum
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
