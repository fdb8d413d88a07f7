import {
  Badge,
  Button,
  Checkbox,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { insurance, intake, query, unwrap } from '../api/client';
import type { PhoneTask, paths } from '../api/generated/insurance';
import { navigate } from '../router';
import { useSite } from '../site';
import { AppLink, EmptyState, ErrorNotice, PageTitle, fieldError } from '../ui/common';
import { PatientName } from '../ui/PatientName';

const TASK_PAGE = 10;
const PATIENT_PAGE = 25;
const TASK_KINDS: Record<PhoneTask['kind'], string> = {
  'retry-later': 'Ask the payer again later',
  'clinic-enrolment': 'Have the clinic enrolled with the payer',
  'correct-member-details': "Correct the member's details",
  'correct-inquiry': 'Correct the inquiry',
  'verify-by-phone': 'Verify by phone',
};

/** The insurance coordinator's desk: the phone-verification queue, and the way to a patient's coverage. */
export function Coverage() {
  const site = useSite();
  return (
    <Stack>
      <PageTitle>Coverage · {site.name}</PageTitle>
      <PhoneQueue />
      <PatientsToVerify />
    </Stack>
  );
}

function PhoneQueue() {
  const site = useSite();
  const [status, setStatus] = useState<'open' | 'completed'>('open');
  const [page, setPage] = useState(0);
  const [working, setWorking] = useState<string | null>(null);
  const tasks = useQuery({
    queryKey: ['phone-tasks', site.siteId, status],
    queryFn: () => unwrap(insurance.GET('/sites/{siteId}/phone-tasks', { params: { path: { siteId: site.siteId } }, ...query({ status }) })),
  });
  const items = tasks.data ?? [];
  const shown = items.slice(page * TASK_PAGE, (page + 1) * TASK_PAGE);
  return (
    <Stack gap="xs">
      <Title order={2} size="h3">
        Phone-verification queue
      </Title>
      <SegmentedControl
        aria-label="Tasks"
        value={status}
        onChange={(value) => {
          setStatus(value as 'open' | 'completed');
          setPage(0);
        }}
        data={[
          { value: 'open', label: 'Open' },
          { value: 'completed', label: 'Completed' },
        ]}
        w={260}
      />
      <ErrorNotice error={tasks.error} />
      {tasks.data && items.length === 0 ? (
        <EmptyState title={status === 'open' ? 'No payer to call' : 'No call recorded yet'}>
          {status === 'open'
            ? 'When a payer cannot answer electronically, or rejects an inquiry, the task to act on appears here. Verify a patient’s benefits from their coverage below.'
            : 'Calls you record from the open queue are kept here.'}
        </EmptyState>
      ) : null}
      {shown.length > 0 ? (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Patient</Table.Th>
              <Table.Th>Payer</Table.Th>
              <Table.Th>Why</Table.Th>
              <Table.Th>What to do</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((t) => (
              <Table.Tr key={t.taskId}>
                <Table.Td>
                  <AppLink to={`/coverage/patients/${t.patientId}`}>
                    <PatientName patientId={t.patientId} />
                  </AppLink>
                </Table.Td>
                <Table.Td>{t.payerId}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color="orange.9">
                    {t.reason}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" fw={600}>
                    {TASK_KINDS[t.kind]}
                  </Text>
                  {t.action ? <Text size="sm">{t.action}</Text> : null}
                  {t.answer ? (
                    <Text size="sm" c="dimmed">
                      {t.answer.representative}, reference {t.answer.callReference}:{' '}
                      {t.answer.coverageActive ? 'covered' : `not covered (${t.answer.rejectionReason})`}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <Group gap="xs">
                    <Button size="xs" variant="default" onClick={() => navigate(`/coverage/verifications/${t.verificationId}`)}>
                      Open the verification
                    </Button>
                    {t.status === 'open' ? (
                      <Button size="xs" onClick={() => setWorking(working === t.taskId ? null : t.taskId)}>
                        Record the call
                      </Button>
                    ) : null}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
      {items.length > TASK_PAGE ? (
        <Group justify="flex-end">
          <Text size="sm" c="dimmed">
            {items.length} in all
          </Text>
          <Button variant="default" disabled={page === 0} onClick={() => setPage(page - 1)}>
            Previous page
          </Button>
          <Button variant="default" disabled={(page + 1) * TASK_PAGE >= items.length} onClick={() => setPage(page + 1)}>
            Next page
          </Button>
        </Group>
      ) : null}
      {working ? <PhoneCallForm key={working} task={items.find((t) => t.taskId === working)!} onDone={() => setWorking(null)} /> : null}
    </Stack>
  );
}

type PhoneBody = paths['/sites/{siteId}/phone-tasks/{taskId}/complete']['post']['requestBody']['content']['application/json'];
const REJECTIONS: NonNullable<PhoneBody['rejectionReason']>[] = [
  'coverage-inactive',
  'service-not-covered',
  'member-not-found',
  'out-of-network-not-covered',
  'other',
];
const PHONE_FIELDS = ['representative', 'callReference', 'rejectionReason', 'remainingDeductibleCents', 'coinsuranceBasisPoints', 'copayPerDayCents', 'notes'];
const cents = (dollars: number | string) => (dollars === '' ? undefined : Math.round(Number(dollars) * 100));

/** What the payer's representative said, field by field (the phone path's answer in place of a 271). */
function PhoneCallForm({ task, onDone }: { task: PhoneTask; onDone: () => void }) {
  const site = useSite();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({
    representative: '',
    callReference: '',
    coverageActive: true,
    rejectionReason: null as string | null,
    inNetwork: true,
    authorizationRequired: false,
    deductible: '' as number | string,
    coinsurance: '' as number | string,
    copay: '' as number | string,
    notes: '',
  });
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });
  const complete = useMutation({
    mutationFn: () => {
      const body: PhoneBody = {
        representative: form.representative,
        callReference: form.callReference,
        coverageActive: form.coverageActive,
        authorizationRequired: form.authorizationRequired,
        ...(form.coverageActive ? { inNetwork: form.inNetwork } : {}),
        ...(form.rejectionReason ? { rejectionReason: form.rejectionReason as PhoneBody['rejectionReason'] } : {}),
        ...(form.deductible !== '' ? { remainingDeductibleCents: cents(form.deductible) } : {}),
        ...(form.coinsurance !== '' ? { coinsuranceBasisPoints: Math.round(Number(form.coinsurance) * 100) } : {}),
        ...(form.copay !== '' ? { copayPerDayCents: cents(form.copay) } : {}),
        ...(form.notes ? { notes: form.notes } : {}),
      };
      return unwrap(insurance.POST('/sites/{siteId}/phone-tasks/{taskId}/complete', { params: { path: { siteId: site.siteId, taskId: task.taskId } }, body }));
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['phone-tasks', site.siteId] });
      onDone();
    },
  });
  const err = (field: string) => fieldError(complete.error, field);
  return (
    <form
      aria-label="The payer's answer by phone"
      onSubmit={(event) => {
        event.preventDefault();
        complete.mutate();
      }}
    >
      <Stack gap="xs" p="md" style={{ border: '1px solid var(--mantine-color-gray-4)', borderRadius: 8 }}>
        <Title order={3} size="h4">
          The call to {task.payerId}
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="Representative"
            required
            value={form.representative}
            onChange={(e) => set({ representative: e.currentTarget.value })}
            error={err('representative')}
          />
          <TextInput
            label="Call reference"
            required
            value={form.callReference}
            onChange={(e) => set({ callReference: e.currentTarget.value })}
            error={err('callReference')}
          />
        </SimpleGrid>
        <Group>
          <Checkbox label="Coverage is active" checked={form.coverageActive} onChange={(e) => set({ coverageActive: e.currentTarget.checked })} />
          <Checkbox
            label="The clinic is in network"
            checked={form.inNetwork}
            disabled={!form.coverageActive}
            onChange={(e) => set({ inNetwork: e.currentTarget.checked })}
          />
          <Checkbox
            label="Prior authorisation required"
            checked={form.authorizationRequired}
            onChange={(e) => set({ authorizationRequired: e.currentTarget.checked })}
          />
        </Group>
        <Select
          label="Why not covered"
          description="Needed when the payer says the patient is not covered"
          data={REJECTIONS}
          value={form.rejectionReason}
          onChange={(value) => set({ rejectionReason: value })}
          clearable
          error={err('rejectionReason')}
        />
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <NumberInput
            label="Remaining deductible ($)"
            min={0}
            decimalScale={2}
            value={form.deductible}
            onChange={(v) => set({ deductible: v })}
            error={err('remainingDeductibleCents')}
          />
          <NumberInput
            label="Coinsurance (%)"
            min={0}
            max={100}
            decimalScale={2}
            value={form.coinsurance}
            onChange={(v) => set({ coinsurance: v })}
            error={err('coinsuranceBasisPoints')}
          />
          <NumberInput
            label="Copay per day ($)"
            min={0}
            decimalScale={2}
            value={form.copay}
            onChange={(v) => set({ copay: v })}
            error={err('copayPerDayCents')}
          />
        </SimpleGrid>
        <Textarea label="Notes" value={form.notes} onChange={(e) => set({ notes: e.currentTarget.value })} error={err('notes')} />
        <ErrorNotice error={complete.error} fields={PHONE_FIELDS} />
        <Group>
          <Button type="submit" loading={complete.isPending}>
            Record the answer
          </Button>
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Patients whose coverage the site works on: assessed or admitted referrals (for staff who may list them), or a patient id. */
function PatientsToVerify() {
  const site = useSite();
  const [stage, setStage] = useState<'assessed' | 'admitted'>('assessed');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const [patientId, setPatientId] = useState('');
  const referrals = useQuery({
    queryKey: ['referrals', site.siteId, stage, cursor],
    queryFn: () => unwrap(intake.GET('/referrals', query({ siteId: site.siteId, stage, pageSize: PATIENT_PAGE, cursor }))),
    retry: false,
  });
  const valid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(patientId.trim());
  return (
    <Stack gap="xs">
      <Title order={2} size="h3">
        Patients
      </Title>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (valid) navigate(`/coverage/patients/${patientId.trim().toLowerCase()}`);
        }}
      >
        <Group align="flex-end">
          <TextInput
            label="Patient id"
            description="From the referral, the admission task or the phone queue"
            value={patientId}
            onChange={(e) => setPatientId(e.currentTarget.value)}
            error={patientId && !valid ? 'a patient id looks like 3f2a…-…: 36 letters, digits and dashes' : undefined}
            w={420}
          />
          <Button type="submit" disabled={!valid}>
            Open coverage
          </Button>
        </Group>
      </form>
      <SegmentedControl
        aria-label="Referral stage"
        value={stage}
        onChange={(value) => {
          setStage(value as 'assessed' | 'admitted');
          setCursors([]);
        }}
        data={[
          { value: 'assessed', label: 'Assessed (to verify before admission)' },
          { value: 'admitted', label: 'Admitted' },
        ]}
        w={520}
      />
      {referrals.error ? (
        <Stack gap={4}>
          <ErrorNotice error={referrals.error} />
          <Text size="sm">Open a patient from the phone queue above, or by their patient id.</Text>
        </Stack>
      ) : null}
      {referrals.data && referrals.data.items.length === 0 ? (
        <EmptyState title={`No ${stage} referral at this site`} action={{ label: 'Go to the intake board', to: '/' }}>
          Patients appear here once intake has assessed them; their coverage is verified before admission.
        </EmptyState>
      ) : null}
      {referrals.data && referrals.data.items.length > 0 ? (
        <>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Patient</Table.Th>
                <Table.Th>Days since referral</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {referrals.data.items.map((r) => (
                <Table.Tr key={r.referralId}>
                  <Table.Td>
                    <AppLink to={`/coverage/patients/${r.patientId}`}>
                      {r.familyName}, {r.givenName}
                    </AppLink>
                  </Table.Td>
                  <Table.Td>{r.ageDays}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group justify="flex-end">
            <Button variant="default" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous page
            </Button>
            <Button variant="default" disabled={!referrals.data.nextCursor} onClick={() => setCursors([...cursors, referrals.data.nextCursor!])}>
              Next page
            </Button>
          </Group>
        </>
      ) : null}
    </Stack>
  );
}
