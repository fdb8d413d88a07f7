import { Badge, Button, Card, Group, NativeSelect, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { aftercare, query, scheduling, unwrap } from '../api/client';
import type { Enrolment } from '../api/generated/scheduling';
import { todayIn, useSite } from '../site';
import { AppLink, EmptyState, ErrorNotice, PageTitle, fieldError } from '../ui/common';
import { PatientName } from '../ui/PatientName';

type DischargeType = 'completed' | 'step-down' | 'step-up' | 'transfer' | 'against-clinical-advice' | 'administrative' | 'lost-to-contact';

/** Discharge: draft for a patient in treatment, then sign (the episode ends). Step-down, step-up and transfer details are not built yet. */
export function Discharges() {
  const site = useSite();
  const queryClient = useQueryClient();
  const [cursors, setCursors] = useState<string[]>([]);
  const discharges = useQuery({
    queryKey: ['discharges', site.siteId, cursors.at(-1)],
    queryFn: () =>
      unwrap(aftercare.GET('/sites/{siteId}/discharges', { params: { path: { siteId: site.siteId } }, ...query({ limit: 25, cursor: cursors.at(-1) }) })),
  });
  const placed = useQuery({
    queryKey: ['placed', site.siteId],
    queryFn: () =>
      unwrap(scheduling.GET('/sites/{siteId}/enrolments', { params: { path: { siteId: site.siteId } }, ...query({ status: 'placed', limit: 50 }) })),
  });
  const sign = useMutation({
    mutationFn: (dischargeId: string) => unwrap(aftercare.POST('/discharges/{dischargeId}/sign', { params: { path: { dischargeId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['discharges', site.siteId] }),
  });
  const drafted = new Set((discharges.data?.items ?? []).map((d) => d.episodeId));
  const inTreatment = (placed.data?.items ?? []).filter((e) => !drafted.has(e.episodeId));
  return (
    <Stack>
      <PageTitle>Aftercare · {site.name}</PageTitle>
      <Title order={2} size="h3">
        Discharges
      </Title>
      <ErrorNotice error={discharges.error ?? sign.error} />
      {discharges.data && discharges.data.items.length === 0 ? <Text size="sm">No discharges yet. Draft one for a patient below.</Text> : null}
      {discharges.data && discharges.data.items.length > 0 ? (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Patient</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>Reason</Table.Th>
              <Table.Th>Admitted</Table.Th>
              <Table.Th>Discharged</Table.Th>
              <Table.Th>Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {discharges.data.items.map((d) => (
              <Table.Tr key={d.dischargeId}>
                <Table.Td>
                  <PatientName patientId={d.patientId} />
                </Table.Td>
                <Table.Td>{d.type.replaceAll('-', ' ')}</Table.Td>
                <Table.Td>{d.reasonCode}</Table.Td>
                <Table.Td>{d.admittedOn}</Table.Td>
                <Table.Td>{d.dischargedOn}</Table.Td>
                <Table.Td>
                  {d.status === 'signed' ? (
                    <Group gap="xs">
                      <Badge color="teal.9">signed</Badge>
                      <AppLink to={`/aftercare/episodes/${d.episodeId}`}>Aftercare plan and follow-ups</AppLink>
                    </Group>
                  ) : (
                    <Button size="xs" onClick={() => sign.mutate(d.dischargeId)} loading={sign.isPending && sign.variables === d.dischargeId}>
                      Sign the discharge
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
      {discharges.data && (discharges.data.nextCursor || cursors.length > 0) ? (
        <Group>
          <Button variant="default" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous page
          </Button>
          <Button variant="default" disabled={!discharges.data.nextCursor} onClick={() => setCursors([...cursors, discharges.data.nextCursor!])}>
            Next page
          </Button>
        </Group>
      ) : null}
      <Title order={2} size="h3">
        Patients in treatment
      </Title>
      <ErrorNotice error={placed.error} />
      {placed.data && inTreatment.length === 0 ? (
        <EmptyState title="No patient to discharge">Patients placed in a track appear here; draft their discharge when treatment ends.</EmptyState>
      ) : null}
      {inTreatment.map((e) => (
        <DischargeForm key={e.enrolmentId} enrolment={e} />
      ))}
    </Stack>
  );
}

function DischargeForm({ enrolment }: { enrolment: Enrolment }) {
  const site = useSite();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const reasons = useQuery({ queryKey: ['discharge-reasons'], queryFn: () => unwrap(aftercare.GET('/discharge-reasons')), enabled: open });
  const [type, setType] = useState<DischargeType>('completed');
  const [reasonCode, setReasonCode] = useState('');
  const [dischargedOn, setDischargedOn] = useState(todayIn(site.timeZone));
  const [summary, setSummary] = useState('');
  // The clinician's count of the treatment plan's goals (no goal text leaves the plan); needed to sign.
  const [goals, setGoals] = useState({ total: '', met: '', partly: '' });
  const codes = reasons.data?.reasons.find((r) => r.type === type)?.codes ?? [];
  const draft = useMutation({
    mutationFn: () =>
      unwrap(
        aftercare.POST('/episodes/{episodeId}/discharge', {
          params: { path: { episodeId: enrolment.episodeId } },
          body: {
            type,
            reasonCode: reasonCode || codes[0] || '',
            dischargedOn,
            ...(summary ? { summaryText: summary } : {}),
            ...(goals.total !== '' ? { goals: { total: Number(goals.total), met: Number(goals.met || 0), partly: Number(goals.partly || 0) } } : {}),
          },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['discharges', site.siteId] }),
  });
  const err = (field: string) => fieldError(draft.error, field);
  return (
    <Card withBorder>
      <Group justify="space-between">
        <Text fw={600}>
          <PatientName patientId={enrolment.patientId} />
        </Text>
        <Button variant="light" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? 'Close' : 'Draft a discharge'}
        </Button>
      </Group>
      {open ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            draft.mutate();
          }}
        >
          <Stack mt="sm" gap="xs">
            <Group grow>
              <NativeSelect
                label="Type"
                data={['completed', 'against-clinical-advice', 'administrative', 'lost-to-contact']}
                value={type}
                onChange={(e) => {
                  setType(e.currentTarget.value as DischargeType);
                  setReasonCode('');
                }}
                error={err('type')}
              />
              <NativeSelect
                label="Reason"
                data={codes}
                value={reasonCode || codes[0] || ''}
                onChange={(e) => setReasonCode(e.currentTarget.value)}
                error={err('reasonCode')}
              />
              <TextInput
                label="Last day"
                type="date"
                value={dischargedOn}
                onChange={(e) => setDischargedOn(e.currentTarget.value)}
                error={err('dischargedOn')}
              />
            </Group>
            <Group grow>
              {(['total', 'met', 'partly'] as const).map((k) => (
                <TextInput
                  key={k}
                  label={k === 'total' ? 'Plan goals' : k === 'met' ? 'Goals met' : 'Goals partly met'}
                  type="number"
                  min={0}
                  value={goals[k]}
                  onChange={(e) => setGoals({ ...goals, [k]: e.currentTarget.value })}
                  error={err(`goals.${k}`)}
                />
              ))}
            </Group>
            <Textarea label="Discharge summary" value={summary} onChange={(e) => setSummary(e.currentTarget.value)} error={err('summaryText')} />
            <ErrorNotice
              error={draft.error ?? reasons.error}
              fields={['type', 'reasonCode', 'dischargedOn', 'summaryText', 'goals.total', 'goals.met', 'goals.partly']}
            />
            <Group>
              <Button type="submit" loading={draft.isPending}>
                Save the draft
              </Button>
            </Group>
          </Stack>
        </form>
      ) : null}
    </Card>
  );
}
