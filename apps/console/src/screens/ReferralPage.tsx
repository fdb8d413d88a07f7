import { Alert, Badge, Button, Card, Checkbox, Group, List, NativeSelect, Radio, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { intake, unwrap } from '../api/client';
import type { Consent, ReferralDetail } from '../api/generated/intake';
import { addDays, todayIn, useSite } from '../site';
import { ErrorNotice, PageTitle, fieldError, formatDateTime } from '../ui/common';

const ORDER = ['new', 'contacted', 'pre-screened', 'assessment-booked', 'assessed', 'admitted'] as const;
const reached = (referral: ReferralDetail, stage: (typeof ORDER)[number]) =>
  referral.stage !== 'closed' && ORDER.indexOf(referral.stage as (typeof ORDER)[number]) >= ORDER.indexOf(stage);

/** One referral's journey: pre-screen, assessment booking, consent, assessment, admission. Ids only in the address. */
export function ReferralPage({ referralId }: { referralId: string }) {
  const referral = useQuery({
    queryKey: ['referral', referralId],
    queryFn: () => unwrap(intake.GET('/referrals/{referralId}', { params: { path: { referralId } } })),
  });
  if (referral.error) return <ErrorNotice error={referral.error} />;
  if (!referral.data) return <Text>Loading the referral…</Text>;
  const r = referral.data;
  const safety = r.preScreen?.outcome.safety;
  return (
    <Stack maw={980}>
      <PageTitle actions={<Badge size="lg">{r.stage.replace('-', ' ')}</Badge>}>
        {r.patient.familyName}, {r.patient.givenName}
      </PageTitle>
      {safety?.urgentFollowUpRequired ? (
        <Alert color="red" title={`Safety: urgent clinical follow-up now (risk ${safety.riskLevel})`} role="alert">
          {safety.summary}
        </Alert>
      ) : null}
      <Text size="sm">
        {r.source.replaceAll('-', ' ')} referral, {r.urgency}, received {formatDateTime(r.receivedAt)} · concerns: {r.presentingConcerns.join(', ')}
        {r.patient.dateOfBirth ? ` · born ${r.patient.dateOfBirth}` : ''}
        {r.patient.phone ? ` · ${r.patient.phone}` : ''}
      </Text>
      {r.closure ? <Alert color="gray">Closed: {r.closure.reason.kind ?? 'closed'}</Alert> : null}
      <PreScreen referral={r} />
      <Booking referral={r} />
      <Consents referral={r} />
      <Assessment referral={r} />
      <Admission referral={r} />
    </Stack>
  );
}

function Step({ title, done, children }: { title: string; done: boolean; children: ReactNode }) {
  return (
    <Card withBorder component="section" aria-label={title}>
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4">
          {title}
        </Title>
        {done ? <Badge color="teal.9">done</Badge> : null}
      </Group>
      {children}
    </Card>
  );
}

function useRefresh(referralId: string) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: ['referral', referralId] });
}

function PreScreen({ referral }: { referral: ReferralDetail }) {
  const refresh = useRefresh(referral.referralId);
  const questions = useQuery({ queryKey: ['pre-screen-questions'], queryFn: () => unwrap(intake.GET('/pre-screen/questions')), enabled: !referral.preScreen });
  const [yes, setYes] = useState<Record<string, boolean>>({});
  const record = useMutation({
    mutationFn: () => {
      const asked = (questions.data ?? []).filter((q) => !q.askedAfterYesTo || yes[q.askedAfterYesTo]);
      const answers = Object.fromEntries(asked.map((q) => [q.id, yes[q.id] === true]));
      return unwrap(intake.POST('/referrals/{referralId}/pre-screen', { params: { path: { referralId: referral.referralId } }, body: { answers } }));
    },
    onSuccess: refresh,
  });
  const outcome = referral.preScreen?.outcome;
  return (
    <Step title="Pre-screen" done={!!outcome}>
      {outcome ? (
        <Stack gap="xs">
          <Text>
            Routing: <strong>{outcome.routing.replaceAll('-', ' ')}</strong> · safety risk {outcome.safety.riskLevel}
          </Text>
          {outcome.reasons.length > 0 ? (
            <List size="sm">
              {outcome.reasons.map((r) => (
                <List.Item key={r.text}>{r.text}</List.Item>
              ))}
            </List>
          ) : null}
        </Stack>
      ) : referral.stage === 'closed' ? (
        <Text c="dimmed">The referral is closed.</Text>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            record.mutate();
          }}
        >
          <Stack gap="xs">
            <Text size="sm">Tick every question the caller answers yes to.</Text>
            {(questions.data ?? [])
              .filter((q) => !q.askedAfterYesTo || yes[q.askedAfterYesTo])
              .map((q) => (
                <Checkbox key={q.id} label={q.text} checked={yes[q.id] === true} onChange={(e) => setYes({ ...yes, [q.id]: e.currentTarget.checked })} />
              ))}
            <ErrorNotice error={record.error ?? questions.error} />
            <Group>
              <Button type="submit" loading={record.isPending} disabled={!questions.data}>
                Record the pre-screen
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Step>
  );
}

function Booking({ referral }: { referral: ReferralDetail }) {
  const refresh = useRefresh(referral.referralId);
  const [at, setAt] = useState('');
  const book = useMutation({
    mutationFn: () =>
      unwrap(
        intake.POST('/referrals/{referralId}/assessment-booking', {
          params: { path: { referralId: referral.referralId } },
          body: { appointmentAt: new Date(at).toISOString() },
        }),
      ),
    onSuccess: refresh,
  });
  const open = reached(referral, 'pre-screened') && !reached(referral, 'assessed');
  return (
    <Step title="Assessment appointment" done={!!referral.assessmentAppointmentAt}>
      {referral.assessmentAppointmentAt ? <Text mb="xs">Booked for {formatDateTime(referral.assessmentAppointmentAt)}</Text> : null}
      {open ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            book.mutate();
          }}
        >
          <Group align="end">
            <TextInput
              label={referral.assessmentAppointmentAt ? 'Move to' : 'Appointment'}
              type="datetime-local"
              required
              value={at}
              onChange={(e) => setAt(e.currentTarget.value)}
              error={fieldError(book.error, 'appointmentAt')}
            />
            <Button type="submit" loading={book.isPending}>
              Book
            </Button>
          </Group>
          <ErrorNotice error={book.error} fields={['appointmentAt']} />
        </form>
      ) : !referral.assessmentAppointmentAt ? (
        <Text c="dimmed" size="sm">
          Book the assessment once the pre-screen routes the caller to it.
        </Text>
      ) : null}
    </Step>
  );
}

const CATEGORIES = [
  'attendance',
  'diagnosis',
  'assessment',
  'treatment-plan',
  'progress-notes',
  'medications',
  'toxicology-results',
  'discharge-summary',
  'billing-and-claims',
];
const STATEMENTS = [
  { value: 'right-to-revoke', label: 'The patient may revoke this consent' },
  { value: 'treatment-not-conditioned-on-signing', label: 'Treatment does not depend on signing' },
  { value: 'redisclosure-potential', label: 'Records disclosed may be disclosed again' },
];

function Consents({ referral }: { referral: ReferralDetail }) {
  const site = useSite();
  const queryClient = useQueryClient();
  const patientId = referral.patientId;
  const consents = useQuery({
    queryKey: ['consents', patientId],
    queryFn: () => unwrap(intake.GET('/patients/{patientId}/consents', { params: { path: { patientId } } })),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['consents', patientId] });
  const [form, setForm] = useState({
    payerId: '',
    payerName: '',
    purposes: ['payment'] as string[],
    categories: ['billing-and-claims', 'assessment'] as string[],
    expiresOn: addDays(todayIn(site.timeZone), 365),
    signer: '',
    method: 'electronic',
    statements: [] as string[],
  });
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });
  const record = useMutation({
    mutationFn: () =>
      unwrap(
        intake.POST('/patients/{patientId}/consents', {
          params: { path: { patientId } },
          body: {
            disclosers: [{ kind: 'program', programId: site.siteId, name: site.name }],
            recipients: [{ kind: 'payer', payerId: form.payerId, name: form.payerName || form.payerId }],
            purposes: form.purposes.map((kind) => ({ kind: kind as 'payment' })),
            information: { kind: 'specific', categories: form.categories as 'assessment'[] },
            expiry: { kind: 'date', expiresAt: new Date(`${form.expiresOn}T23:59:00`).toISOString() },
            signedAt: new Date().toISOString(),
            signatureMethod: form.method as 'electronic',
            signer: { kind: 'patient', name: form.signer },
            formStatements: form.statements as 'right-to-revoke'[],
          },
        }),
      ),
    onSuccess: refresh,
  });
  const err = (field: string) => fieldError(record.error, field);
  const inForce = (consents.data ?? []).filter((c) => !c.revokedAt);
  return (
    <Step title="Consent to disclose (42 CFR Part 2)" done={inForce.length > 0}>
      <ErrorNotice error={consents.error} />
      {consents.data && consents.data.length > 0 ? (
        <Table mb="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>To</Table.Th>
              <Table.Th>For</Table.Th>
              <Table.Th>Signed</Table.Th>
              <Table.Th>Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {consents.data.map((c) => (
              <ConsentRow key={c.consentId} consent={c} onRevoked={refresh} />
            ))}
          </Table.Tbody>
        </Table>
      ) : consents.data ? (
        <Text size="sm" c="dimmed" mb="sm">
          No consent on file. Record the patient&apos;s written consent before disclosing anything to a payer.
        </Text>
      ) : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          record.mutate();
        }}
      >
        <Stack gap="xs">
          <SimpleGrid cols={2}>
            <TextInput
              label="Payer id"
              required
              value={form.payerId}
              onChange={(e) => set({ payerId: e.currentTarget.value })}
              error={err('recipients.0.payerId')}
            />
            <TextInput label="Payer name" value={form.payerName} onChange={(e) => set({ payerName: e.currentTarget.value })} error={err('recipients.0.name')} />
            <TextInput
              label="Signed by (patient)"
              required
              value={form.signer}
              onChange={(e) => set({ signer: e.currentTarget.value })}
              error={err('signer.name')}
            />
            <NativeSelect
              label="Signature"
              data={['electronic', 'wet', 'verbal-witnessed']}
              value={form.method}
              onChange={(e) => set({ method: e.currentTarget.value })}
              error={err('signatureMethod')}
            />
            <TextInput
              label="Expires on"
              type="date"
              required
              value={form.expiresOn}
              onChange={(e) => set({ expiresOn: e.currentTarget.value })}
              error={err('expiry.expiresAt')}
            />
          </SimpleGrid>
          <Checkbox.Group label="Purposes" value={form.purposes} onChange={(v) => set({ purposes: v })} error={err('purposes')}>
            <Group mt={4}>
              {['treatment', 'payment', 'health-care-operations'].map((p) => (
                <Checkbox key={p} value={p} label={p.replaceAll('-', ' ')} />
              ))}
            </Group>
          </Checkbox.Group>
          <Checkbox.Group label="Information" value={form.categories} onChange={(v) => set({ categories: v })} error={err('information.categories')}>
            <Group mt={4}>
              {CATEGORIES.map((c) => (
                <Checkbox key={c} value={c} label={c.replaceAll('-', ' ')} />
              ))}
            </Group>
          </Checkbox.Group>
          <Checkbox.Group label="The form states" value={form.statements} onChange={(v) => set({ statements: v })} error={err('formStatements')}>
            <Stack gap={4} mt={4}>
              {STATEMENTS.map((s) => (
                <Checkbox key={s.value} value={s.value} label={s.label} />
              ))}
            </Stack>
          </Checkbox.Group>
          <ErrorNotice
            error={record.error}
            fields={[
              'recipients.0.payerId',
              'recipients.0.name',
              'signer.name',
              'signatureMethod',
              'expiry.expiresAt',
              'purposes',
              'information.categories',
              'formStatements',
            ]}
          />
          <Group>
            <Button type="submit" loading={record.isPending}>
              Record the consent
            </Button>
          </Group>
        </Stack>
      </form>
    </Step>
  );
}

function ConsentRow({ consent, onRevoked }: { consent: Consent; onRevoked: () => unknown }) {
  const [method, setMethod] = useState('written');
  const revoke = useMutation({
    mutationFn: () =>
      unwrap(
        intake.POST('/patients/{patientId}/consents/{consentId}/revocation', {
          params: { path: { patientId: consent.patientId, consentId: consent.consentId } },
          body: { method: method as 'written' },
        }),
      ),
    onSuccess: onRevoked,
  });
  const recipients = (consent.form.recipients ?? []).map((r) => ('name' in r ? r.name : r.kind)).join(', ');
  return (
    <Table.Tr>
      <Table.Td>{recipients}</Table.Td>
      <Table.Td>{(consent.form.purposes ?? []).map((p) => p.kind).join(', ')}</Table.Td>
      <Table.Td>{formatDateTime(consent.signedAt)}</Table.Td>
      <Table.Td>
        {consent.revokedAt ? (
          `revoked ${formatDateTime(consent.revokedAt)}`
        ) : (
          <Group gap="xs">
            <Text size="sm">in force</Text>
            <NativeSelect
              size="xs"
              aria-label="How the patient revoked"
              data={['written', 'electronic', 'verbal']}
              value={method}
              onChange={(e) => setMethod(e.currentTarget.value)}
            />
            <Button size="xs" variant="light" color="red" loading={revoke.isPending} onClick={() => revoke.mutate()}>
              Record revocation
            </Button>
          </Group>
        )}
        <ErrorNotice error={revoke.error} />
      </Table.Td>
    </Table.Tr>
  );
}

const DIMENSIONS = [
  '1 · Intoxication and withdrawal',
  '2 · Biomedical conditions',
  '3 · Emotional, behavioural or cognitive conditions',
  '4 · Readiness to change',
  '5 · Relapse or continued use potential',
  '6 · Recovery environment',
];
const PHQ9 = 9;
const GAD7 = 7;

function Assessment({ referral }: { referral: ReferralDetail }) {
  const refresh = useRefresh(referral.referralId);
  const [population, setPopulation] = useState<'adult' | 'adolescent'>('adult');
  const [ratings, setRatings] = useState<string[]>(Array(6).fill(''));
  const [phq9, setPhq9] = useState<string[]>(Array(PHQ9).fill(''));
  const [gad7, setGad7] = useState<string[]>(Array(GAD7).fill(''));
  const record = useMutation({
    mutationFn: () => {
      const dims = Object.fromEntries(ratings.map((r, i) => [String(i + 1), { rating: Number(r) }])) as Record<
        '1' | '2' | '3' | '4' | '5' | '6',
        { rating: number }
      >;
      return unwrap(
        intake.POST('/referrals/{referralId}/assessment', {
          params: { path: { referralId: referral.referralId } },
          body: {
            population,
            dimensions: dims,
            phq9: phq9.map((v) => (v === '' ? null : Number(v))),
            gad7: gad7.map((v) => (v === '' ? null : Number(v))),
          },
        }),
      );
    },
    onSuccess: refresh,
  });
  const a = referral.assessment;
  const err = (field: string) => fieldError(record.error, field);
  return (
    <Step title="Assessment and level of care" done={!!a}>
      {a ? (
        <Stack gap="xs">
          <Text>
            Recommended: <strong>{a.recommendation.levelLabel}</strong> ({a.recommendation.programType.replace('-', ' ')}, {a.recommendation.population})
            {a.recommendation.plannedWeeklyHours
              ? ` · ${a.recommendation.plannedWeeklyHours.hours} h a week (${a.recommendation.plannedWeeklyHours.allowedRange})`
              : ''}
          </Text>
          <Text size="sm">Why: {a.recommendation.rationale}</Text>
          <Text size="sm">
            Deciding dimensions: {a.recommendation.drivingDimensions.join(', ') || 'none'} · rule {a.recommendation.ruleId} · PHQ-9 {a.phq9.total} (
            {a.phq9.band}) · GAD-7 {a.gad7.total} ({a.gad7.band})
          </Text>
          <Text size="sm">
            Decision: level {a.decision.level}
            {a.decision.plannedWeeklyHours ? `, ${a.decision.plannedWeeklyHours} h a week` : ''} (
            {a.decision.decidedBy === 'rule-table' ? 'as recommended' : `overridden: ${a.decision.override?.reason ?? ''}`})
          </Text>
          <Text size="xs" c="dimmed">
            {a.recommendation.disclaimer}
          </Text>
        </Stack>
      ) : !reached(referral, 'pre-screened') ? (
        <Text c="dimmed" size="sm">
          Record the pre-screen first.
        </Text>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            record.mutate();
          }}
        >
          <Stack gap="xs">
            <Radio.Group label="Population" value={population} onChange={(v) => setPopulation(v as 'adult')}>
              <Group mt={4}>
                <Radio value="adult" label="Adult" />
                <Radio value="adolescent" label="Adolescent" />
              </Group>
            </Radio.Group>
            <Text fw={600} size="sm">
              ASAM dimensions (0 none to 4 severe)
            </Text>
            <SimpleGrid cols={3}>
              {DIMENSIONS.map((label, i) => (
                <NativeSelect
                  key={label}
                  label={label}
                  required
                  data={[{ value: '', label: 'Choose' }, ...['0', '1', '2', '3', '4'].map((v) => ({ value: v, label: v }))]}
                  value={ratings[i]}
                  onChange={(e) => setRatings(ratings.map((r, j) => (j === i ? e.currentTarget.value : r)))}
                  error={err(`dimensions.${i + 1}.rating`)}
                />
              ))}
            </SimpleGrid>
            <Scores name="PHQ-9" values={phq9} onChange={setPhq9} error={err('phq9')} />
            <Scores name="GAD-7" values={gad7} onChange={setGad7} error={err('gad7')} />
            <ErrorNotice error={record.error} fields={['phq9', 'gad7', ...DIMENSIONS.map((_, i) => `dimensions.${i + 1}.rating`)]} />
            <Group>
              <Button type="submit" loading={record.isPending}>
                Record the assessment
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Step>
  );
}

function Scores({ name, values, onChange, error }: { name: string; values: string[]; onChange: (v: string[]) => void; error: string | undefined }) {
  return (
    <Stack gap={4}>
      <Text fw={600} size="sm">
        {name} items (0 not at all to 3 nearly every day)
      </Text>
      <Group gap="xs">
        {values.map((v, i) => (
          <NativeSelect
            key={i}
            w={90}
            label={`${name} item ${i + 1}`}
            data={[{ value: '', label: '–' }, ...['0', '1', '2', '3'].map((x) => ({ value: x, label: x }))]}
            value={v}
            onChange={(e) => onChange(values.map((old, j) => (j === i ? e.currentTarget.value : old)))}
          />
        ))}
      </Group>
      {error ? (
        <Text c="red" size="sm">
          {error}
        </Text>
      ) : null}
    </Stack>
  );
}

function Admission({ referral }: { referral: ReferralDetail }) {
  const site = useSite();
  const refresh = useRefresh(referral.referralId);
  const [payment, setPayment] = useState<'self-pay' | 'insurance'>('insurance');
  const [payerId, setPayerId] = useState('');
  const [acknowledged, setAcknowledged] = useState(false);
  const [plannedStart, setPlannedStart] = useState(addDays(todayIn(site.timeZone), 1));
  const admit = useMutation({
    mutationFn: () =>
      unwrap(
        intake.POST('/referrals/{referralId}/admission', {
          params: { path: { referralId: referral.referralId } },
          body:
            payment === 'insurance'
              ? { payment, payerId, plannedStart }
              : { payment, plannedStart, ...(acknowledged ? { selfPayAcknowledged: true as const } : {}) },
        }),
      ),
    onSuccess: refresh,
  });
  const err = (field: string) => fieldError(admit.error, field);
  return (
    <Step title="Admission" done={!!referral.episode}>
      {referral.admissionRequests.length > 0 ? (
        <List size="sm" mb="xs">
          {referral.admissionRequests.map((r) => (
            <List.Item key={r.requestId}>
              {r.payment === 'insurance' ? `Insurance (${r.payerId ?? ''})` : 'Self-pay'} from {r.plannedStart}: {r.status.replaceAll('-', ' ')}
              {r.outcome?.position ? `, place ${r.outcome.position} on the waitlist` : ''}
              {r.outcome?.reason ? ` (${r.outcome.reason})` : ''}
            </List.Item>
          ))}
        </List>
      ) : null}
      {referral.episode ? (
        <Text>
          Admitted {formatDateTime(referral.episode.admittedAt)}: level {referral.episode.levelOfCare}, {referral.episode.plannedWeeklyHours} h a week from{' '}
          {referral.episode.plannedStart} (episode {referral.episode.status}). Place the patient in a track on the schedule screen.
        </Text>
      ) : referral.stage !== 'assessed' ? (
        <Text c="dimmed" size="sm">
          Admission follows the assessment.
        </Text>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            admit.mutate();
          }}
        >
          <Stack gap="xs">
            <Radio.Group label="Payment" value={payment} onChange={(v) => setPayment(v as 'insurance')} error={err('payment')}>
              <Group mt={4}>
                <Radio value="insurance" label="Insurance" />
                <Radio value="self-pay" label="Self-pay" />
              </Group>
            </Radio.Group>
            {payment === 'insurance' ? (
              <TextInput label="Payer id" required value={payerId} onChange={(e) => setPayerId(e.currentTarget.value)} error={err('payerId')} />
            ) : (
              <Checkbox
                label="The patient knows they pay the full fee themselves"
                checked={acknowledged}
                onChange={(e) => setAcknowledged(e.currentTarget.checked)}
                error={err('selfPayAcknowledged')}
              />
            )}
            <TextInput
              label="Planned start"
              type="date"
              required
              value={plannedStart}
              onChange={(e) => setPlannedStart(e.currentTarget.value)}
              error={err('plannedStart')}
            />
            <ErrorNotice error={admit.error} fields={['payment', 'payerId', 'selfPayAcknowledged', 'plannedStart']} />
            <Group>
              <Button type="submit" loading={admit.isPending}>
                Admit
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Step>
  );
}
