import { Alert, Badge, Button, Card, Code, Group, List, NumberInput, Select, SimpleGrid, Stack, Table, Text, Title, UnstyledButton } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { insurance, unwrap } from '../api/client';
import type {
  BenefitAccumulator,
  BenefitTier,
  CostEstimate,
  EligibilityBenefits,
  MemberBenefits,
  PhoneAnswer,
  TierEstimate,
  Verification as VerificationView,
} from '../api/generated/insurance';
import { navigate } from '../router';
import { useSite } from '../site';
import { AppLink, EmptyState, ErrorNotice, PageTitle, fieldError } from '../ui/common';
import { PatientName } from '../ui/PatientName';

const money = (cents: number | undefined) =>
  cents === undefined ? '–' : new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);
/** X12 time period qualifiers (EB06) as words. */
const PERIODS: Record<string, string> = {
  '6': 'hour',
  '7': 'day',
  '13': '24 hours',
  '21': 'year',
  '22': 'service year',
  '23': 'calendar year',
  '24': 'year to date',
  '25': 'contract',
  '26': 'episode',
  '27': 'visit',
  '28': 'outlier',
  '29': 'remaining',
  '30': 'exceeded',
  '31': 'not exceeded',
  '32': 'lifetime',
  '33': 'lifetime remaining',
  '34': 'month',
  '35': 'week',
  '36': 'admission',
};
const SOURCES: Record<string, string> = { 'service-type': 'the service type’s line', 'benefit-block': 'a benefit block', plan: 'the plan-level line' };

/** One verification: the benefits per IOP service type with each figure's 271 line, the raw 271 beside them, and the estimate. */
export function Verification({ verificationId }: { verificationId: string }) {
  const site = useSite();
  const [line, setLine] = useState<number | null>(null);
  const verification = useQuery({
    queryKey: ['verification', site.siteId, verificationId],
    queryFn: () => unwrap(insurance.GET('/sites/{siteId}/verifications/{verificationId}', { params: { path: { siteId: site.siteId, verificationId } } })),
    retry: false,
    refetchInterval: (q) => (q.state.data && ['queued', 'in-progress'].includes(q.state.data.status) ? 1000 : false),
  });
  const exchange = useQuery({
    queryKey: ['exchange', site.siteId, verificationId, verification.data?.status],
    queryFn: () =>
      unwrap(insurance.GET('/sites/{siteId}/verifications/{verificationId}/exchange', { params: { path: { siteId: site.siteId, verificationId } } })),
    enabled: !!verification.data,
    retry: false,
  });
  const reverify = useMutation({
    mutationFn: () =>
      unwrap(insurance.POST('/sites/{siteId}/verifications/{verificationId}/reverify', { params: { path: { siteId: site.siteId, verificationId } } })),
    onSuccess: (v) => navigate(`/coverage/verifications/${v.verificationId}`),
  });
  const v = verification.data;
  const received = exchange.data?.filter((e) => e.direction === '271').at(-1);
  return (
    <Stack>
      <PageTitle
        actions={
          v ? (
            <Button variant="default" onClick={() => reverify.mutate()} loading={reverify.isPending}>
              Ask the payer again
            </Button>
          ) : null
        }
      >
        Benefits verification
      </PageTitle>
      <ErrorNotice error={verification.error ?? reverify.error} />
      {v ? (
        <>
          <Group gap="xs">
            <Text>
              <PatientName patientId={v.patientId} /> · {v.payerId ?? 'payer unknown'} · service date {v.serviceDate} · {v.programType}
            </Text>
            <Badge color={v.status === 'verified' ? 'teal.9' : v.status === 'rejected' || v.status === 'failed' ? 'red.9' : 'yellow.3'} autoContrast>
              {v.status}
            </Badge>
            {v.method ? (
              <Badge variant="outline" color="blue.9">
                {v.method}
              </Badge>
            ) : null}
            {v.fromCache ? (
              <Badge variant="outline" color="blue.9">
                from a recent answer
              </Badge>
            ) : null}
          </Group>
          <AppLink to={`/coverage/patients/${v.patientId}`}>The patient’s coverage and authorisations</AppLink>
          <Outcome v={v} />
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <Stack>
              <Benefits benefits={v.benefits} onLine={setLine} />
            </Stack>
            <Stack gap="xs">
              <Title order={2} size="h3">
                The payer’s 271
              </Title>
              <ErrorNotice error={exchange.error} />
              {exchange.data && !received ? (
                <Text size="sm">
                  {v.method === 'phone'
                    ? 'Answered by phone: no 271.'
                    : v.fromCache
                      ? 'Answered from a recent verification: its 271 is on that one.'
                      : 'No 271 received yet.'}
                </Text>
              ) : null}
              {received ? <RawX12 body={received.body} highlight={line} /> : null}
            </Stack>
          </SimpleGrid>
          {v.status === 'verified' ? <Estimate verificationId={v.verificationId} /> : null}
        </>
      ) : null}
    </Stack>
  );
}

function Outcome({ v }: { v: VerificationView }) {
  return (
    <Stack gap="xs">
      {v.outcome?.kind === 'verified' && v.outcome.authorizationRequired ? (
        <Alert variant="outline" color="blue.9" title="Prior authorisation required">
          <Text size="sm">Record the payer’s authorisation on the patient’s coverage page before the first billed day.</Text>
        </Alert>
      ) : null}
      {v.outcome?.kind === 'verified' && v.outcome.carveOut ? (
        <Alert variant="outline" color="blue.9" title="Behavioural health is carved out">
          <Text size="sm">Another organisation manages these benefits: see the messages below for whom to call.</Text>
        </Alert>
      ) : null}
      {v.outcome && v.outcome.kind !== 'verified' ? (
        <Alert variant="outline" color="red.9" title={v.outcome.kind === 'rejected' ? `Rejected: ${v.outcome.reason}` : `No answer: ${v.outcome.reason}`}>
          <Text size="sm">
            {v.phoneTaskId ? 'A task is on the phone-verification queue. ' : ''}
            {v.reason}
          </Text>
        </Alert>
      ) : null}
      {v.outcome?.messages.length ? (
        <List size="sm">
          {v.outcome.messages.map((m) => (
            <List.Item key={m}>{m}</List.Item>
          ))}
        </List>
      ) : null}
      {v.warnings?.length ? (
        <Alert variant="outline" color="gray.9" title="The payer’s 271 bent the X12 rules; it was read anyway">
          <List size="sm" c="dark.9">
            {v.warnings.map((w, i) => (
              <List.Item key={i}>
                {w.segmentNumber ? `line ${w.segmentNumber}: ` : ''}
                {w.message} ({w.code})
              </List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
    </Stack>
  );
}

function Benefits({ benefits, onLine }: { benefits: VerificationView['benefits']; onLine: (n: number) => void }) {
  if (!benefits) return <EmptyState title="No benefits yet">The payer has not answered; a phone task opens when it cannot.</EmptyState>;
  if ('representative' in benefits) return <PhoneBenefits answer={benefits} />;
  const members: MemberBenefits[] = 'members' in benefits ? (benefits as EligibilityBenefits).members : [benefits as MemberBenefits];
  return (
    <>
      {members.map((m) => (
        <Stack key={m.hierarchyId} gap="xs">
          <Title order={2} size="h3">
            Benefits · {m.plan.description ?? m.plan.groupName ?? 'plan'} ({m.role})
          </Title>
          <Text size="sm">
            Coverage {m.coverage.status}: {m.coverage.explanation}
          </Text>
          {m.planMessages.length ? (
            <List size="sm">
              {m.planMessages.map((msg) => (
                <List.Item key={msg}>{msg}</List.Item>
              ))}
            </List>
          ) : null}
          {m.serviceTypes.length === 0 ? <Text size="sm">The payer named no IOP service type.</Text> : null}
          {m.serviceTypes.map((s) => (
            <Card key={s.code} withBorder p="sm">
              <Text fw={600}>
                {s.label} ({s.code}) · {s.coverage}
              </Text>
              <Table fz="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Figure</Table.Th>
                    <Table.Th>In network</Table.Th>
                    <Table.Th>Out of network</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {FIGURES.map(([label, read]) => (
                    <Table.Tr key={label}>
                      <Table.Th scope="row" fw={400}>
                        {label}
                      </Table.Th>
                      <Table.Td>{read(s.inNetwork, onLine)}</Table.Td>
                      <Table.Td>{read(s.outOfNetwork, onLine)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Card>
          ))}
        </Stack>
      ))}
    </>
  );
}

/** A figure with the 271 line(s) it came from: a button that shows the line in the raw 271. */
function Sourced({ children, lines, source, onLine }: { children: ReactNode; lines: number[]; source: string; onLine: (n: number) => void }) {
  return (
    <Group gap={4}>
      <span>{children}</span>
      {lines.map((n) => (
        <UnstyledButton
          key={n}
          fz="xs"
          c="blue.9"
          td="underline"
          style={{ whiteSpace: 'nowrap' }}
          aria-label={`Show line ${n} of the 271 (${SOURCES[source] ?? source})`}
          title={`From ${SOURCES[source] ?? source}`}
          onClick={() => onLine(n)}
        >
          line {n}
        </UnstyledButton>
      ))}
    </Group>
  );
}

const accumulator = (a: BenefitAccumulator | undefined, onLine: (n: number) => void) =>
  a ? (
    <Sourced lines={a.segmentNumbers} source={a.source} onLine={onLine}>
      {a.totalCents !== undefined ? `${money(a.totalCents)}${a.totalPeriod ? ` per ${PERIODS[a.totalPeriod] ?? a.totalPeriod}` : ''}` : ''}
      {a.remainingCents !== undefined
        ? `${a.totalCents !== undefined ? ', ' : ''}${money(a.remainingCents)} left${a.remainingDerived ? ' (worked out)' : ''}`
        : ''}
      {a.metCents !== undefined ? `, ${money(a.metCents)} met` : ''}
    </Sourced>
  ) : (
    <Text span c="dimmed" size="sm">
      not stated
    </Text>
  );

const FIGURES: Array<[string, (t: BenefitTier, onLine: (n: number) => void) => ReactNode]> = [
  ['Covered', (t) => (t.nonCovered ? 'not covered' : t.network === 'network-not-stated' ? 'network not stated' : 'yes')],
  [
    'Copay',
    (t, onLine) =>
      t.copay ? (
        <Sourced lines={[t.copay.origin.segmentNumber]} source={t.copay.source} onLine={onLine}>
          {money(t.copay.amountCents)}
          {t.copay.per ? ` per ${PERIODS[t.copay.per] ?? t.copay.per}` : ''}
        </Sourced>
      ) : (
        <Text span c="dimmed" size="sm">
          not stated
        </Text>
      ),
  ],
  [
    'Coinsurance',
    (t, onLine) =>
      t.coinsurance ? (
        <Sourced lines={[t.coinsurance.origin.segmentNumber]} source={t.coinsurance.source} onLine={onLine}>
          {t.coinsurance.basisPoints / 100}%
        </Sourced>
      ) : (
        <Text span c="dimmed" size="sm">
          not stated
        </Text>
      ),
  ],
  ['Deductible (individual)', (t, onLine) => accumulator(t.deductible.individual, onLine)],
  ['Deductible (family)', (t, onLine) => accumulator(t.deductible.family, onLine)],
  ['Out-of-pocket maximum (individual)', (t, onLine) => accumulator(t.outOfPocket.individual, onLine)],
  ['Out-of-pocket maximum (family)', (t, onLine) => accumulator(t.outOfPocket.family, onLine)],
  ['Prior authorisation', (t) => t.authorization],
  [
    'Limits',
    (t, onLine) =>
      t.limits.length
        ? t.limits.map((l, i) => (
            <Sourced key={i} lines={[l.origin.segmentNumber]} source={l.source} onLine={onLine}>
              {l.description}
            </Sourced>
          ))
        : '–',
  ],
  ['Messages', (t) => (t.messages.length ? t.messages.join('; ') : '–')],
];

function PhoneBenefits({ answer }: { answer: PhoneAnswer }) {
  const rows: Array<[string, string]> = [
    ['Representative', `${answer.representative} (reference ${answer.callReference})`],
    ['Coverage active', answer.coverageActive ? 'yes' : `no (${answer.rejectionReason})`],
    ['In network', answer.inNetwork === undefined ? 'not asked' : answer.inNetwork ? 'yes' : 'no'],
    ['Prior authorisation', answer.authorizationRequired ? 'required' : 'not required'],
    ['Remaining deductible', money(answer.remainingDeductibleCents)],
    ['Coinsurance', answer.coinsuranceBasisPoints === undefined ? '–' : `${answer.coinsuranceBasisPoints / 100}%`],
    ['Copay per day', money(answer.copayPerDayCents)],
    ['Remaining out-of-pocket', money(answer.remainingOutOfPocketCents)],
    ['Notes', answer.notes ?? '–'],
  ];
  return (
    <Stack gap="xs">
      <Title order={2} size="h3">
        Benefits, as the payer gave them by phone
      </Title>
      <Table fz="sm">
        <Table.Tbody>
          {rows.map(([k, value]) => (
            <Table.Tr key={k}>
              <Table.Th scope="row">{k}</Table.Th>
              <Table.Td>{value}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/** The 271 as received, one segment a line, numbered as the summary's source lines are (ISA = 1). */
function RawX12({ body, highlight }: { body: string; highlight: number | null }) {
  const terminator = body.startsWith('ISA') && body.length > 105 ? body[105]! : '~';
  const segments = body
    .split(terminator)
    .map((s) => s.trim())
    .filter(Boolean);
  return (
    <Code
      block
      tabIndex={0}
      aria-label="The 271 as received, one segment per line"
      style={{ maxHeight: 560, overflow: 'auto', whiteSpace: 'pre' }}
      data-testid="raw-271"
    >
      {segments.map((s, i) => (
        <div
          key={i}
          id={`segment-${i + 1}`}
          ref={(el) => {
            if (el && highlight === i + 1) el.scrollIntoView({ block: 'nearest' });
          }}
          style={highlight === i + 1 ? { background: 'var(--mantine-color-yellow-2)', fontWeight: 700 } : undefined}
          aria-current={highlight === i + 1 ? 'true' : undefined}
        >
          {String(i + 1).padStart(3, ' ')} {s}
          {terminator}
        </div>
      ))}
    </Code>
  );
}

function Estimate({ verificationId }: { verificationId: string }) {
  const site = useSite();
  const [form, setForm] = useState({ billingCode: 'H0015' as 'H0015' | 'S9480', weeks: 8 as number | string, daysPerWeek: 3 as number | string });
  const estimate = useMutation({
    mutationFn: () =>
      unwrap(
        insurance.POST('/sites/{siteId}/estimates', {
          params: { path: { siteId: site.siteId } },
          body: { verificationId, billingCode: form.billingCode, weeks: Number(form.weeks), daysPerWeek: Number(form.daysPerWeek) },
        }),
      ),
  });
  const err = (field: string) => fieldError(estimate.error, field);
  return (
    <Stack gap="xs">
      <Title order={2} size="h3">
        Cost estimate
      </Title>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          estimate.mutate();
        }}
      >
        <Group align="flex-end">
          <Select
            label="Billing code"
            data={[
              { value: 'H0015', label: 'H0015 (substance use IOP)' },
              { value: 'S9480', label: 'S9480 (psychiatric IOP)' },
            ]}
            value={form.billingCode}
            onChange={(value) => setForm({ ...form, billingCode: value as 'H0015' })}
            allowDeselect={false}
            error={err('billingCode')}
          />
          <NumberInput label="Weeks" value={form.weeks} onChange={(v) => setForm({ ...form, weeks: v })} error={err('weeks')} w={120} />
          <NumberInput label="Days a week" value={form.daysPerWeek} onChange={(v) => setForm({ ...form, daysPerWeek: v })} error={err('daysPerWeek')} w={120} />
          <Button type="submit" loading={estimate.isPending}>
            Estimate the cost
          </Button>
        </Group>
      </form>
      <ErrorNotice error={estimate.error} fields={['billingCode', 'weeks', 'daysPerWeek']} />
      {estimate.data ? <EstimateResult estimate={estimate.data} /> : null}
    </Stack>
  );
}

function EstimateResult({ estimate }: { estimate: CostEstimate }) {
  return (
    <Stack gap="xs">
      <Text size="sm">
        {estimate.estimate.description}: {estimate.estimate.days} days at {money(estimate.perDiemCents)} a day
        {estimate.serviceType ? `, benefits of service type ${estimate.serviceType}` : ''}.
      </Text>
      {estimate.estimate.notes.length ? (
        <List size="sm">
          {estimate.estimate.notes.map((n) => (
            <List.Item key={n}>{n}</List.Item>
          ))}
        </List>
      ) : null}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Tier title="In network" tier={estimate.estimate.inNetwork} assumptions={estimate.assumptions.inNetwork} />
        <Tier title="Out of network" tier={estimate.estimate.outOfNetwork} assumptions={estimate.assumptions.outOfNetwork} />
      </SimpleGrid>
    </Stack>
  );
}

function Tier({ title, tier, assumptions }: { title: string; tier: TierEstimate; assumptions: string[] }) {
  return (
    <Card withBorder>
      <Title order={3} size="h4">
        {title}: {tier.patientResponsibilityCents !== undefined ? `the patient pays ${money(tier.patientResponsibilityCents)}` : 'not enough to say'}
      </Title>
      <Text size="sm">{tier.summary}</Text>
      {tier.missing.length ? (
        <Text size="sm" c="red.9">
          Missing from the payer’s answer: {tier.missing.join(', ')}
        </Text>
      ) : null}
      <Table fz="sm" mt="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Step</Table.Th>
            <Table.Th>How</Table.Th>
            <Table.Th>Patient</Table.Th>
            <Table.Th>So far</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tier.steps.map((s, i) => (
            <Table.Tr key={i}>
              <Table.Td>
                {i + 1}. {s.kind}
              </Table.Td>
              <Table.Td>{s.explanation}</Table.Td>
              <Table.Td>{money(s.patientCents)}</Table.Td>
              <Table.Td>{money(s.runningPatientCents)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="sm" mt="xs">
        Allowed {money(tier.allowedCents)} · plan pays {money(tier.planPaysCents)}
        {tier.ceilingCents !== undefined ? ` · at most ${money(tier.ceilingCents)}` : ''}
      </Text>
      {assumptions.length ? (
        <List size="xs" mt="xs">
          {assumptions.map((a) => (
            <List.Item key={a}>{a}</List.Item>
          ))}
        </List>
      ) : null}
    </Card>
  );
}
