import { Alert, Badge, Button, Card, Group, List, NumberInput, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { insurance, unwrap } from '../api/client';
import type { Coverage, paths } from '../api/generated/insurance';
import { navigate } from '../router';
import { addDays, todayIn, useSite } from '../site';
import { EmptyState, ErrorNotice, FormPanel, PageTitle, fieldError } from '../ui/common';
import { LineChart } from '../ui/charts';
import { PatientName } from '../ui/PatientName';

type AuthorizationUse = paths['/sites/{siteId}/patients/{patientId}/authorizations']['get']['responses'][200]['content']['application/json'][number];

/** A patient's coverage at the site: their cards, verifying benefits, and their prior authorisations with a run-out forecast. */
export function CoveragePatient({ patientId }: { patientId: string }) {
  const site = useSite();
  const coverages = useQuery({
    queryKey: ['coverages', site.siteId, patientId],
    queryFn: () => unwrap(insurance.GET('/sites/{siteId}/patients/{patientId}/coverages', { params: { path: { siteId: site.siteId, patientId } } })),
    retry: false,
  });
  return (
    <Stack>
      <PageTitle>
        Coverage · <PatientName patientId={patientId} />
      </PageTitle>
      <Title order={2} size="h3">
        Insurance on file
      </Title>
      <ErrorNotice error={coverages.error} />
      {coverages.data && coverages.data.length === 0 ? (
        <EmptyState title="No insurance card on file">Record the patient’s card below; then verify their benefits with the payer.</EmptyState>
      ) : null}
      {coverages.data?.map((c) => (
        <CoverageCard key={c.coverageId} coverage={c} />
      ))}
      {coverages.data ? <RecordCoverage patientId={patientId} /> : null}
      {coverages.data ? <Authorizations patientId={patientId} payerId={coverages.data[0]?.payerId} /> : null}
    </Stack>
  );
}

const PROGRAMS = [
  { value: 'substance-use', label: 'Substance use' },
  { value: 'mental-health', label: 'Mental health' },
  { value: 'co-occurring', label: 'Co-occurring' },
];

function CoverageCard({ coverage }: { coverage: Coverage }) {
  const site = useSite();
  const [serviceDate, setServiceDate] = useState(todayIn(site.timeZone));
  const [programType, setProgramType] = useState<string | null>('substance-use');
  const verify = useMutation({
    mutationFn: () =>
      unwrap(
        insurance.POST('/sites/{siteId}/coverages/{coverageId}/verifications', {
          params: { path: { siteId: site.siteId, coverageId: coverage.coverageId } },
          body: { serviceDate, programType: programType as 'substance-use' },
        }),
      ),
    onSuccess: (v) => navigate(`/coverage/verifications/${v.verificationId}`),
  });
  return (
    <Card withBorder>
      <Group justify="space-between" align="flex-start">
        <Stack gap={2}>
          <Text fw={600}>
            {coverage.payerId} · {coverage.priority}
          </Text>
          <Text size="sm">
            Member {coverage.memberId}
            {coverage.groupNumber ? ` · group ${coverage.groupNumber}` : ''} · subscriber {coverage.subscriber.lastName}, {coverage.subscriber.firstName} (
            {coverage.relationship})
          </Text>
          <Text size="sm" c="dimmed">
            Plan {coverage.planBegin ?? 'start not stated'} to {coverage.planEnd ?? 'open'}
          </Text>
        </Stack>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            verify.mutate();
          }}
        >
          <Group align="flex-end">
            <TextInput
              type="date"
              label="Service date"
              value={serviceDate}
              onChange={(e) => setServiceDate(e.currentTarget.value)}
              error={fieldError(verify.error, 'serviceDate')}
            />
            <Select
              label="Program"
              data={PROGRAMS}
              value={programType}
              onChange={setProgramType}
              allowDeselect={false}
              error={fieldError(verify.error, 'programType')}
              w={180}
            />
            <Button type="submit" loading={verify.isPending}>
              Verify benefits
            </Button>
          </Group>
        </form>
      </Group>
      <ErrorNotice error={verify.error} fields={['serviceDate', 'programType']} />
    </Card>
  );
}

type CoverageBody = paths['/sites/{siteId}/coverages']['post']['requestBody']['content']['application/json'];
const COVERAGE_FIELDS = [
  'payerId',
  'memberId',
  'groupNumber',
  'priority',
  'relationship',
  'subscriber.firstName',
  'subscriber.lastName',
  'subscriber.birthDate',
  'planBegin',
  'planEnd',
];

function RecordCoverage({ patientId }: { patientId: string }) {
  const site = useSite();
  const queryClient = useQueryClient();
  const payers = useQuery({ queryKey: ['payers'], queryFn: () => unwrap(insurance.GET('/payers')) });
  const [form, setForm] = useState({
    payerId: null as string | null,
    priority: 'primary' as CoverageBody['priority'],
    memberId: '',
    groupNumber: '',
    relationship: 'self' as CoverageBody['relationship'],
    firstName: '',
    lastName: '',
    birthDate: '',
  });
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });
  const record = useMutation({
    mutationFn: () =>
      unwrap(
        insurance.POST('/sites/{siteId}/coverages', {
          params: { path: { siteId: site.siteId } },
          body: {
            patientId,
            payerId: form.payerId ?? '',
            priority: form.priority,
            memberId: form.memberId,
            ...(form.groupNumber ? { groupNumber: form.groupNumber } : {}),
            relationship: form.relationship,
            subscriber: { firstName: form.firstName, lastName: form.lastName, birthDate: form.birthDate },
          },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['coverages', site.siteId, patientId] }),
  });
  const err = (field: string) => fieldError(record.error, field);
  return (
    <FormPanel label="Record an insurance card" onSubmit={() => record.mutate()}>
      <SimpleGrid cols={{ base: 1, sm: 4 }}>
        <Select
          label="Payer"
          required
          data={(payers.data ?? []).map((p) => ({ value: p.payerId, label: p.name }))}
          value={form.payerId}
          onChange={(value) => set({ payerId: value })}
          error={err('payerId')}
        />
        <TextInput label="Member id" required value={form.memberId} onChange={(e) => set({ memberId: e.currentTarget.value })} error={err('memberId')} />
        <TextInput label="Group number" value={form.groupNumber} onChange={(e) => set({ groupNumber: e.currentTarget.value })} error={err('groupNumber')} />
        <Select
          label="Order"
          data={['primary', 'secondary']}
          value={form.priority}
          onChange={(value) => set({ priority: value as CoverageBody['priority'] })}
          allowDeselect={false}
          error={err('priority')}
        />
        <Select
          label="Patient is the subscriber's"
          data={[
            { value: 'self', label: 'self (the subscriber)' },
            { value: 'spouse', label: 'spouse' },
            { value: 'child', label: 'child' },
            { value: 'other-adult', label: 'other adult' },
          ]}
          value={form.relationship}
          onChange={(value) => set({ relationship: value as CoverageBody['relationship'] })}
          allowDeselect={false}
          error={err('relationship')}
        />
        <TextInput
          label="Subscriber first name"
          required
          value={form.firstName}
          onChange={(e) => set({ firstName: e.currentTarget.value })}
          error={err('subscriber.firstName')}
        />
        <TextInput
          label="Subscriber last name"
          required
          value={form.lastName}
          onChange={(e) => set({ lastName: e.currentTarget.value })}
          error={err('subscriber.lastName')}
        />
        <TextInput
          type="date"
          label="Subscriber birth date"
          required
          value={form.birthDate}
          onChange={(e) => set({ birthDate: e.currentTarget.value })}
          error={err('subscriber.birthDate')}
        />
      </SimpleGrid>
      <ErrorNotice error={record.error ?? payers.error} fields={COVERAGE_FIELDS} />
      <Group>
        <Button type="submit" loading={record.isPending}>
          Record the card
        </Button>
      </Group>
    </FormPanel>
  );
}

const AUTH_FIELDS = ['payerReference', 'serviceCode', 'unitsApproved', 'startDate', 'endDate', 'payerId'];
const WARNINGS: Record<AuthorizationUse['warnings'][number], string> = {
  'units-low': 'few units left',
  'units-exhausted': 'no units left',
  'ending-soon': 'ends soon',
  ended: 'ended',
};

function Authorizations({ patientId, payerId }: { patientId: string; payerId: string | undefined }) {
  const site = useSite();
  const queryClient = useQueryClient();
  const auths = useQuery({
    queryKey: ['authorizations', site.siteId, patientId],
    queryFn: () => unwrap(insurance.GET('/sites/{siteId}/patients/{patientId}/authorizations', { params: { path: { siteId: site.siteId, patientId } } })),
    retry: false,
  });
  const today = todayIn(site.timeZone);
  const [form, setForm] = useState({
    payerReference: '',
    serviceCode: 'H0015' as 'H0015' | 'S9480',
    units: 20 as number | string,
    startDate: today,
    endDate: addDays(today, 41),
  });
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });
  const record = useMutation({
    mutationFn: () =>
      unwrap(
        insurance.POST('/sites/{siteId}/authorizations', {
          params: { path: { siteId: site.siteId } },
          body: {
            patientId,
            payerId: payerId ?? '',
            payerReference: form.payerReference,
            serviceCode: form.serviceCode,
            unitsApproved: Number(form.units),
            startDate: form.startDate,
            endDate: form.endDate,
          },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['authorizations', site.siteId, patientId] }),
  });
  const err = (field: string) => fieldError(record.error, field);
  return (
    <Stack gap="xs">
      <Title order={2} size="h3">
        Prior authorisations
      </Title>
      <ErrorNotice error={auths.error} />
      {auths.data && auths.data.length === 0 ? (
        <EmptyState title="No authorisation recorded">
          When the payer requires prior authorisation, record its reference, units and dates below; units are counted as days are billed.
        </EmptyState>
      ) : null}
      {auths.data?.map((a) => (
        <AuthorizationCard key={a.authorizationId} auth={a} today={today} />
      ))}
      {payerId ? (
        <FormPanel label="Record an authorisation" title={`Record an authorisation from ${payerId}`} onSubmit={() => record.mutate()}>
          <SimpleGrid cols={{ base: 1, sm: 5 }}>
            <TextInput
              label="Payer reference"
              required
              value={form.payerReference}
              onChange={(e) => set({ payerReference: e.currentTarget.value })}
              error={err('payerReference')}
            />
            <Select
              label="Service"
              data={[
                { value: 'H0015', label: 'H0015 (substance use IOP)' },
                { value: 'S9480', label: 'S9480 (psychiatric IOP)' },
              ]}
              value={form.serviceCode}
              onChange={(value) => set({ serviceCode: value as 'H0015' })}
              allowDeselect={false}
              error={err('serviceCode')}
            />
            <NumberInput label="Units approved (days)" value={form.units} onChange={(v) => set({ units: v })} error={err('unitsApproved')} />
            <TextInput type="date" label="From" value={form.startDate} onChange={(e) => set({ startDate: e.currentTarget.value })} error={err('startDate')} />
            <TextInput type="date" label="To" value={form.endDate} onChange={(e) => set({ endDate: e.currentTarget.value })} error={err('endDate')} />
          </SimpleGrid>
          <ErrorNotice error={record.error} fields={AUTH_FIELDS} />
          <Group>
            <Button type="submit" loading={record.isPending}>
              Record the authorisation
            </Button>
          </Group>
        </FormPanel>
      ) : (
        <Text size="sm">Record the patient’s insurance card first: an authorisation is the payer’s.</Text>
      )}
    </Stack>
  );
}

const days = (from: string, to: string) => Math.round((Date.parse(`${to}T12:00:00Z`) - Date.parse(`${from}T12:00:00Z`)) / 86_400_000);

/**
 * When the units run out at the pace they have been used so far (units used over the days since the start), against the
 * authorisation's end date. No forecast before the first unit is used.
 */
export function runOutForecast(a: Pick<AuthorizationUse, 'startDate' | 'endDate' | 'unitsApproved' | 'unitsUsed' | 'unitsRemaining'>, today: string) {
  const elapsed = Math.max(1, days(a.startDate, today) + 1);
  if (a.unitsUsed === 0 || today < a.startDate) return null;
  const perDay = a.unitsUsed / elapsed;
  const runOut = addDays(today, Math.ceil(a.unitsRemaining / perDay));
  return { perWeek: Math.round(perDay * 7 * 10) / 10, runOut, beforeEnd: runOut < a.endDate };
}

function AuthorizationCard({ auth, today }: { auth: AuthorizationUse; today: string }) {
  const forecast = runOutForecast(auth, today);
  const span = Math.max(1, days(auth.startDate, auth.endDate));
  // Weekly points from the start to the end date (and on to the forecast run-out when it is later).
  const last = forecast && forecast.runOut > auth.endDate ? forecast.runOut : auth.endDate;
  const points: string[] = [];
  for (let d = auth.startDate; d <= last; d = addDays(d, 7)) points.push(d);
  if (points.at(-1) !== last) points.push(last);
  const todayAt = points.findIndex((d) => d >= today);
  const used = points.map((d) =>
    d <= today ? Math.round(auth.unitsApproved - (auth.unitsUsed * Math.min(days(auth.startDate, d), span)) / Math.max(1, days(auth.startDate, today))) : null,
  );
  const projected = points.map((d) => {
    if (!forecast || d < today) return null;
    const perDay = forecast.perWeek / 7;
    return Math.max(0, Math.round(auth.unitsRemaining - perDay * days(today, d)));
  });
  return (
    <Card withBorder>
      <Group justify="space-between" align="flex-start">
        <Stack gap={2}>
          <Text fw={600}>
            {auth.serviceCode} · {auth.payerId} reference {auth.payerReference}
          </Text>
          <Text size="sm">
            {auth.startDate} to {auth.endDate} · {auth.unitsUsed} of {auth.unitsApproved} units used, {auth.unitsRemaining} left
          </Text>
          <Text size="sm">
            {forecast
              ? `At ${forecast.perWeek} units a week the units run out on ${forecast.runOut}, ${forecast.beforeEnd ? 'before' : 'after'} the end date ${auth.endDate}.`
              : 'No unit used yet: the forecast starts with the first billed day.'}
          </Text>
          <Group gap={4}>
            {auth.warnings.map((w) => (
              <Badge key={w} color="red.9">
                {WARNINGS[w]}
              </Badge>
            ))}
          </Group>
          {auth.advice.length > 0 ? (
            <List size="sm">
              {auth.advice.map((a) => (
                <List.Item key={a}>{a}</List.Item>
              ))}
            </List>
          ) : null}
        </Stack>
        <LineChart
          title={`Units left on authorisation ${auth.payerReference}: ${auth.unitsRemaining} of ${auth.unitsApproved}${forecast ? `, run-out forecast ${forecast.runOut}` : ''}`}
          xLabels={points.map((d) => d.slice(5))}
          yMax={auth.unitsApproved}
          series={[
            { label: 'Units left', color: '#1864ab', values: used },
            ...(forecast ? [{ label: 'Forecast at the pace so far', color: '#c92a2a', values: projected, dashed: true }] : []),
          ]}
          markers={[
            { x: points.indexOf(auth.endDate) >= 0 ? points.indexOf(auth.endDate) : points.length - 1, label: 'end date', color: '#495057' },
            ...(todayAt >= 0 ? [{ x: todayAt, label: 'today', color: '#237032' }] : []),
          ]}
        />
      </Group>
      {auth.unitsRemaining === 0 ? (
        <Alert variant="outline" color="red.9" mt="xs">
          <Text size="sm">Every unit is used: ask the payer for more before the next session is billed.</Text>
        </Alert>
      ) : null}
    </Card>
  );
}
