import { Alert, Button, Card, Group, NativeSelect, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { ServiceError, aftercare, unwrap } from '../api/client';
import type { AftercarePlan, FollowUp } from '../api/generated/aftercare';
import { todayIn, useSite } from '../site';
import { EmptyState, ErrorNotice, PageTitle, fieldError, formatDateTime } from '../ui/common';
import { PatientName } from '../ui/PatientName';
import { DueBadge } from './FollowUpQueue';

const METHODS = ['phone', 'text', 'video', 'in-person', 'email', 'letter'] as const;
const OUTCOMES = ['reached', 'no-answer', 'left-message', 'wrong-number', 'declined'] as const;

/**
 * One discharged episode's aftercare: its follow-ups (+7, +30, +90 days) and the calls made for them, outcome
 * check-ins (PHQ-9, GAD-7, Brief Addiction Monitor, days abstinent) and the aftercare plan. The address holds the
 * episode's id only.
 */
export function PatientAftercare({ episodeId }: { episodeId: string }) {
  const followUps = useQuery({
    queryKey: ['follow-ups', episodeId],
    queryFn: () => unwrap(aftercare.GET('/episodes/{episodeId}/follow-ups', { params: { path: { episodeId } } })),
    // Aftercare plans the follow-ups when it hears of the signature (Kafka): ask again until they are there.
    refetchInterval: (q) => (q.state.data && q.state.data.followUps.length === 0 ? 2_000 : false),
  });
  const plan = usePlan(episodeId);
  const patientId = followUps.data?.followUps[0]?.patientId ?? plan.data?.patientId;
  if (followUps.error) {
    // Not a discharged episode of this site (or another site's): the service's word, and nothing else.
    return (
      <Stack>
        <PageTitle>Aftercare</PageTitle>
        <ErrorNotice error={followUps.error} />
        <EmptyState title="No aftercare to show" action={{ label: 'Open the follow-up work list', to: '/follow-ups' }}>
          Aftercare starts from a signed discharge at your site: find the patient on the work list or the discharges.
        </EmptyState>
      </Stack>
    );
  }
  return (
    <Stack maw={1100}>
      <PageTitle>Aftercare · {patientId ? <PatientName patientId={patientId} /> : 'discharged episode'}</PageTitle>
      <Section title="Follow-ups">
        {followUps.isPending ? <Text>Loading the follow-ups…</Text> : null}
        {followUps.data && followUps.data.followUps.length === 0 ? (
          <Text size="sm">Planning the 7, 30 and 90-day follow-ups from the signed discharge…</Text>
        ) : null}
        {followUps.data?.followUps.map((f) => (
          <FollowUpCard key={f.followUpId} followUp={f} />
        ))}
      </Section>
      <Section title="Outcome check-in">
        <CheckIn episodeId={episodeId} followUps={followUps.data?.followUps ?? []} />
      </Section>
      <Section title="Aftercare plan">
        <Plan episodeId={episodeId} />
      </Section>
    </Stack>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card withBorder component="section" aria-label={title}>
      <Title order={2} size="h4" mb="xs">
        {title}
      </Title>
      <Stack gap="sm">{children}</Stack>
    </Card>
  );
}

function FollowUpCard({ followUp: f }: { followUp: FollowUp }) {
  const site = useSite();
  const queryClient = useQueryClient();
  const [method, setMethod] = useState<(typeof METHODS)[number]>('phone');
  const [outcome, setOutcome] = useState<(typeof OUTCOMES)[number]>('reached');
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['follow-ups', f.episodeId] });
  const attempt = useMutation({
    mutationFn: () =>
      unwrap(aftercare.POST('/follow-ups/{followUpId}/attempts', { params: { path: { followUpId: f.followUpId } }, body: { method, outcome } })),
    onSuccess: refresh,
  });
  const unreachable = useMutation({
    mutationFn: () => unwrap(aftercare.POST('/follow-ups/{followUpId}/unreachable', { params: { path: { followUpId: f.followUpId } } })),
    onSuccess: refresh,
  });
  const isOpen = f.state === 'due' || f.state === 'overdue';
  const label = `${f.dayOffset}-day follow-up`;
  return (
    <Card withBorder component="section" aria-label={label} p="sm">
      <Group justify="space-between">
        <Text fw={600}>
          {label} · due {f.dueOn}
        </Text>
        <DueBadge followUp={f} today={todayIn(site.timeZone)} />
      </Group>
      {f.attempts.length > 0 ? (
        <Table mt="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Method</Table.Th>
              <Table.Th>Outcome</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {f.attempts.map((a) => (
              <Table.Tr key={a.attemptId}>
                <Table.Td>{formatDateTime(a.at, site.timeZone)}</Table.Td>
                <Table.Td>{a.method}</Table.Td>
                <Table.Td>{a.outcome.replaceAll('-', ' ')}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : (
        <Text size="sm" c="dimmed">
          No call recorded yet.
        </Text>
      )}
      {isOpen ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            attempt.mutate();
          }}
        >
          <Group align="flex-end" mt="xs">
            <NativeSelect
              label={`How (${label})`}
              data={[...METHODS]}
              value={method}
              onChange={(e) => setMethod(e.currentTarget.value as (typeof METHODS)[number])}
              error={fieldError(attempt.error, 'method')}
            />
            <NativeSelect
              label={`Outcome (${label})`}
              data={OUTCOMES.map((o) => ({ value: o, label: o.replaceAll('-', ' ') }))}
              value={outcome}
              onChange={(e) => setOutcome(e.currentTarget.value as (typeof OUTCOMES)[number])}
              error={fieldError(attempt.error, 'outcome')}
            />
            <Button type="submit" loading={attempt.isPending}>
              Record the {label} call
            </Button>
            {f.attempts.length > 0 ? (
              <Button variant="default" onClick={() => unreachable.mutate()} loading={unreachable.isPending}>
                Close as unreachable
              </Button>
            ) : null}
          </Group>
          <ErrorNotice error={attempt.error ?? unreachable.error} fields={['method', 'outcome']} />
        </form>
      ) : null}
      {f.state === 'done' ? (
        <Text size="sm" mt="xs">
          Reached by {f.method} on {f.completedAt ? formatDateTime(f.completedAt, site.timeZone) : ''}.
        </Text>
      ) : null}
    </Card>
  );
}

/** BAM items: day counts (0-30), ratings (0-4), and item 14 (yes/no), in the order of the form. */
const BAM_ITEMS: ReadonlyArray<{ id: string; kind: 'days' | 'rating' | 'yes-no'; text: string }> = [
  { id: '1', kind: 'rating', text: 'physical health' },
  { id: '2', kind: 'days', text: 'days of poor sleep' },
  { id: '3', kind: 'days', text: 'days of low mood' },
  { id: '4', kind: 'days', text: 'days drinking' },
  { id: '5', kind: 'days', text: 'days of heavy drinking' },
  { id: '6', kind: 'days', text: 'days using drugs' },
  { id: '7A', kind: 'days', text: 'marijuana' },
  { id: '7B', kind: 'days', text: 'sedatives' },
  { id: '7C', kind: 'days', text: 'cocaine or crack' },
  { id: '7D', kind: 'days', text: 'stimulants' },
  { id: '7E', kind: 'days', text: 'opiates' },
  { id: '7F', kind: 'days', text: 'inhalants' },
  { id: '7G', kind: 'days', text: 'other drugs' },
  { id: '8', kind: 'rating', text: 'urges' },
  { id: '9', kind: 'rating', text: 'confidence to stay abstinent' },
  { id: '10', kind: 'days', text: 'days at self-help meetings' },
  { id: '11', kind: 'days', text: 'days in risky situations' },
  { id: '12', kind: 'rating', text: 'religion or spirituality helps' },
  { id: '13', kind: 'days', text: 'days at work or school' },
  { id: '14', kind: 'yes-no', text: 'enough income for necessities' },
  { id: '15', kind: 'rating', text: 'conflict with family or friends' },
  { id: '16', kind: 'days', text: 'days with supportive people' },
  { id: '17', kind: 'rating', text: 'satisfaction with progress' },
];

const MEASURE_NAMES = { phq9: 'PHQ9', gad7: 'GAD7', bam: 'BAM' } as const;

/**
 * The service's message for one item of a measure: a validation issue naming the field (`phq9.3`, zero-based), or the
 * scoring refusal (422 `outcome.invalid-answers`), whose detail lists each item in the service's words ("PHQ9 Item 9
 * is unanswered. BAM Item 7A: unanswered."); aftercare does not name those items as fields, so they are read from it.
 */
function itemError(error: unknown, measure: keyof typeof MEASURE_NAMES, field: string, itemId: string): string | undefined {
  if (!(error instanceof ServiceError)) return undefined;
  const named = error.problem.issues?.find((i) => i.field === `${measure}.${field}`)?.message;
  if (named || error.problem.code !== 'outcome.invalid-answers') return named;
  const pattern = /(PHQ9|GAD7|BAM) (Item ([0-9A-G]+)\b.*?)(?=\s(?:PHQ9|GAD7|BAM) Item |$)/g;
  for (const [, name, message, id] of error.problem.detail.matchAll(pattern)) if (name === MEASURE_NAMES[measure] && id === itemId) return message;
  return undefined;
}

function CheckIn({ episodeId, followUps }: { episodeId: string; followUps: readonly FollowUp[] }) {
  const [followUpId, setFollowUpId] = useState('');
  const [phq9, setPhq9] = useState<string[]>(Array(9).fill(''));
  const [gad7, setGad7] = useState<string[]>(Array(7).fill(''));
  const [bam, setBam] = useState<Record<string, string>>({});
  const [showBam, setShowBam] = useState(false);
  const [daysAbstinent, setDaysAbstinent] = useState('');
  const record = useMutation({
    mutationFn: () => {
      const answers = (values: string[]) => (values.every((v) => v === '') ? undefined : values.map((v) => (v === '' ? null : Number(v))));
      const bamAnswers = Object.entries(bam).filter(([, v]) => v !== '');
      return unwrap(
        aftercare.POST('/episodes/{episodeId}/outcomes', {
          params: { path: { episodeId } },
          body: {
            ...(followUpId ? { followUpId } : {}),
            ...(answers(phq9) ? { phq9: answers(phq9) } : {}),
            ...(answers(gad7) ? { gad7: answers(gad7) } : {}),
            ...(bamAnswers.length > 0 ? { bam: Object.fromEntries(bamAnswers.map(([id, v]) => [id, id === '14' ? v === 'yes' : Number(v)])) } : {}),
            ...(daysAbstinent !== '' ? { daysAbstinent: Number(daysAbstinent) } : {}),
          },
        }),
      );
    },
  });
  const scored = record.data;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        record.mutate();
      }}
    >
      <Stack gap="sm">
        <Text size="sm">How the patient is, asked on the follow-up call. Fill in the measures you asked; leave the others empty.</Text>
        <Group align="flex-end">
          <NativeSelect
            label="Taken at"
            data={[
              { value: '', label: 'no particular follow-up' },
              ...followUps.map((f) => ({ value: f.followUpId, label: `the ${f.dayOffset}-day follow-up` })),
            ]}
            value={followUpId}
            onChange={(e) => setFollowUpId(e.currentTarget.value)}
            error={fieldError(record.error, 'followUpId')}
          />
          <TextInput
            label="Days abstinent"
            type="number"
            min={0}
            w={160}
            value={daysAbstinent}
            onChange={(e) => setDaysAbstinent(e.currentTarget.value)}
            error={fieldError(record.error, 'daysAbstinent')}
          />
        </Group>
        <Items name="PHQ-9" measure="phq9" scale="0 not at all to 3 nearly every day" values={phq9} onChange={setPhq9} error={record.error} />
        <Items name="GAD-7" measure="gad7" scale="0 not at all to 3 nearly every day" values={gad7} onChange={setGad7} error={record.error} />
        <Group>
          <Button variant="default" onClick={() => setShowBam(!showBam)} aria-expanded={showBam}>
            {showBam ? 'Hide the Brief Addiction Monitor' : 'Add the Brief Addiction Monitor (BAM)'}
          </Button>
        </Group>
        {showBam ? (
          <Stack gap={4}>
            <Text size="sm">
              Past 30 days: day items in days (0-30), ratings 0 (not at all) to 4 (extremely). Item 5 is skipped when item 4 is 0, items 7A-7G when item 6 is 0.
            </Text>
            <Group gap="xs" align="flex-start">
              {BAM_ITEMS.map((item) =>
                item.kind === 'yes-no' ? (
                  <NativeSelect
                    key={item.id}
                    w={150}
                    label={`BAM ${item.id}: ${item.text}`}
                    data={[
                      { value: '', label: '–' },
                      { value: 'yes', label: 'yes' },
                      { value: 'no', label: 'no' },
                    ]}
                    value={bam[item.id] ?? ''}
                    onChange={(e) => setBam({ ...bam, [item.id]: e.currentTarget.value })}
                    error={itemError(record.error, 'bam', item.id, item.id)}
                  />
                ) : (
                  <TextInput
                    key={item.id}
                    w={150}
                    type="number"
                    min={0}
                    max={item.kind === 'days' ? 30 : 4}
                    label={`BAM ${item.id}: ${item.text}`}
                    value={bam[item.id] ?? ''}
                    onChange={(e) => setBam({ ...bam, [item.id]: e.currentTarget.value })}
                    error={itemError(record.error, 'bam', item.id, item.id)}
                  />
                ),
              )}
            </Group>
          </Stack>
        ) : null}
        <ErrorNotice error={record.error} fields={['followUpId', 'daysAbstinent']} />
        <Group>
          <Button type="submit" loading={record.isPending}>
            Record the check-in
          </Button>
        </Group>
        {scored ? (
          <Alert
            color={scored.safetyConcernId ? 'red' : 'blue'}
            title={scored.safetyConcernId ? 'Safety concern raised: call the clinician on duty now' : 'Check-in recorded'}
            role="status"
          >
            {[
              scored.phq9 ? `PHQ-9 ${scored.phq9.total} (${scored.phq9.band})` : null,
              scored.gad7 ? `GAD-7 ${scored.gad7.total} (${scored.gad7.band})` : null,
              scored.bam ? `BAM use ${scored.bam.use}, risk ${scored.bam.risk}, protective ${scored.bam.protective}` : null,
              scored.daysAbstinent !== null ? `${scored.daysAbstinent} days abstinent` : null,
            ]
              .filter(Boolean)
              .join(' · ')}
          </Alert>
        ) : null}
      </Stack>
    </form>
  );
}

function Items(props: { name: string; measure: 'phq9' | 'gad7'; scale: string; values: string[]; onChange: (v: string[]) => void; error: unknown }) {
  const { name, measure, scale, values, onChange, error } = props;
  return (
    <Stack gap={4}>
      <Text fw={600} size="sm">
        {name} items ({scale})
      </Text>
      <Group gap="xs" align="flex-start">
        {values.map((v, i) => (
          <NativeSelect
            key={i}
            w={110}
            label={`${name} item ${i + 1}`}
            data={[{ value: '', label: '–' }, ...['0', '1', '2', '3'].map((x) => ({ value: x, label: x }))]}
            value={v}
            onChange={(e) => onChange(values.map((old, j) => (j === i ? e.currentTarget.value : old)))}
            error={itemError(error, measure, String(i), String(i + 1))}
          />
        ))}
      </Group>
    </Stack>
  );
}

function usePlan(episodeId: string) {
  return useQuery({
    queryKey: ['aftercare-plan', episodeId],
    // No plan yet is a 404: an empty plan, not an error.
    queryFn: async () => {
      try {
        return await unwrap(aftercare.GET('/episodes/{episodeId}/aftercare-plan', { params: { path: { episodeId } } }));
      } catch (error) {
        if (error instanceof ServiceError && error.problem.status === 404 && error.problem.code === 'plan.not-found') return null;
        throw error;
      }
    },
    retry: false,
  });
}

const KINDS = ['continuing-care', 'mutual-help', 'crisis-plan', 'mat-continuation', 'sober-living', 'family-support', 'alumni-group'] as const;
type Kind = (typeof KINDS)[number];
const OWNERS = ['patient', 'clinician', 'case-manager', 'prescriber', 'family', 'peer-support'] as const;
const FELLOWSHIPS = ['aa', 'na', 'ca', 'smart-recovery', 'refuge-recovery', 'celebrate-recovery', 'other'] as const;
const MEDICATIONS = ['buprenorphine', 'methadone', 'naltrexone', 'acamprosate', 'disulfiram', 'other'] as const;
const FAMILY_SUPPORT = ['family-therapy', 'al-anon', 'nar-anon', 'craft', 'psychoeducation', 'other'] as const;
type Item = Record<string, unknown> & { kind: string };

/** One line describing an item of the plan, from whatever it holds. */
function describe(item: Item): string {
  const bits = [
    item['provider'],
    item['fellowship'] ? `${String(item['fellowship']).toUpperCase()}, ${String(item['meetingsPerWeek'])} a week` : null,
    item['kind'] === 'crisis-plan' ? `crisis line ${String(item['crisisLine'] ?? '988')}` : null,
    item['medication']
      ? `${String(item['medication'])}, prescriber ${String(item['prescriber'] ?? 'on staff')}, next ${String(item['nextAppointmentOn'])}`
      : null,
    item['residence'],
    item['support'],
    item['nextOn'] ? `next ${String(item['nextOn'])}` : null,
    item['notes'],
  ];
  return bits.filter(Boolean).join(' · ');
}

function Plan({ episodeId }: { episodeId: string }) {
  const site = useSite();
  const queryClient = useQueryClient();
  const plan = usePlan(episodeId);
  const [draft, setDraft] = useState<Item[] | null>(null);
  const save = useMutation({
    mutationFn: (items: Item[]) =>
      unwrap(
        aftercare.PUT('/episodes/{episodeId}/aftercare-plan', {
          params: { path: { episodeId } },
          // The generated type cannot follow the plan's union of item kinds; the service validates each item.
          body: { items, ...(plan.data ? { expectedVersion: plan.data.version } : {}) } as never,
        }),
      ),
    onSuccess: (saved: AftercarePlan) => {
      queryClient.setQueryData(['aftercare-plan', episodeId], saved);
      setDraft(null);
    },
  });
  if (plan.error) return <ErrorNotice error={plan.error} />;
  if (plan.isPending) return <Text>Loading the plan…</Text>;
  const current = (plan.data?.items ?? []) as Item[];
  const items = draft ?? current;
  const itemErrors = (i: number) =>
    save.error instanceof ServiceError ? (save.error.problem.issues ?? []).filter((x) => x.field.startsWith(`items.${i}.`) || x.field === `items.${i}`) : [];
  return (
    <Stack gap="sm">
      {plan.data ? (
        <Text size="sm">
          Version {plan.data.version}, recorded {formatDateTime(plan.data.recordedAt, site.timeZone)}.
        </Text>
      ) : null}
      {items.length === 0 ? (
        <EmptyState title="No aftercare plan yet">
          Add what the patient will do after the program (continuing care, mutual help, a crisis plan…), then save the plan.
        </EmptyState>
      ) : (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Item</Table.Th>
              <Table.Th>Owner</Table.Th>
              <Table.Th>From</Table.Th>
              <Table.Th>To</Table.Th>
              <Table.Th>Details</Table.Th>
              {draft ? <Table.Th>Change</Table.Th> : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((item, i) => (
              <Table.Tr key={i}>
                <Table.Td>{item.kind.replaceAll('-', ' ')}</Table.Td>
                <Table.Td>{String(item['owner'] ?? '').replaceAll('-', ' ')}</Table.Td>
                <Table.Td>{String(item['startsOn'] ?? '')}</Table.Td>
                <Table.Td>{String(item['endsOn'] ?? 'open-ended')}</Table.Td>
                <Table.Td>
                  {describe(item)}
                  {itemErrors(i).map((x) => (
                    <Text key={x.field} c="red" size="sm">
                      {x.field.replace(`items.${i}.`, '')}: {x.message}
                    </Text>
                  ))}
                </Table.Td>
                {draft ? (
                  <Table.Td>
                    <Button size="xs" variant="default" onClick={() => setDraft(draft.filter((_, j) => j !== i))}>
                      Remove {item.kind.replaceAll('-', ' ')}
                    </Button>
                  </Table.Td>
                ) : null}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {draft ? (
        <>
          <NewItem onAdd={(item) => setDraft([...draft, item])} />
          <ErrorNotice error={save.error} fields={draft.map((_, i) => i).flatMap((i) => itemErrors(i).map((x) => x.field))} />
          <Group>
            <Button onClick={() => save.mutate(draft)} loading={save.isPending} disabled={draft.length === 0}>
              Save the plan
            </Button>
            <Button variant="default" onClick={() => setDraft(null)}>
              Discard the changes
            </Button>
          </Group>
        </>
      ) : (
        <Group>
          <Button variant="default" onClick={() => setDraft(current)}>
            {plan.data ? 'Revise the plan' : 'Write the plan'}
          </Button>
        </Group>
      )}
    </Stack>
  );
}

/** A form for one item of the plan: what every item has, and what its kind needs. */
function NewItem({ onAdd }: { onAdd: (item: Item) => void }) {
  const site = useSite();
  const [kind, setKind] = useState<Kind>('continuing-care');
  const [owner, setOwner] = useState<string>('patient');
  const [startsOn, setStartsOn] = useState(todayIn(site.timeZone));
  const [endsOn, setEndsOn] = useState('');
  const [notes, setNotes] = useState('');
  const [details, setDetails] = useState<Record<string, string>>({});
  const set = (name: string) => (e: { currentTarget: { value: string } }) => setDetails({ ...details, [name]: e.currentTarget.value });
  const value = (name: string, fallback = '') => details[name] ?? fallback;
  const specific: Record<Kind, () => Record<string, unknown>> = {
    'continuing-care': () => ({ programId: null, ...(value('provider') ? { provider: value('provider') } : {}) }),
    'mutual-help': () => ({ fellowship: value('fellowship', 'aa'), meetingsPerWeek: Number(value('meetingsPerWeek', '3')) }),
    'crisis-plan': () => ({ crisisLine: '988' }),
    'mat-continuation': () => ({
      medication: value('medication', 'buprenorphine'),
      ...(value('prescriber') ? { prescriber: value('prescriber') } : {}),
      nextAppointmentOn: value('nextAppointmentOn'),
    }),
    'sober-living': () => ({ residence: value('residence') }),
    'family-support': () => ({ support: value('support', 'family-therapy') }),
    'alumni-group': () => ({}),
  };
  return (
    <Card withBorder p="sm" component="section" aria-label="Add an item">
      <Text fw={600} size="sm" mb={4}>
        Add an item
      </Text>
      <Group align="flex-end" gap="xs">
        <NativeSelect
          label="Kind"
          data={KINDS.map((k) => ({ value: k, label: k.replaceAll('-', ' ') }))}
          value={kind}
          onChange={(e) => {
            setKind(e.currentTarget.value as Kind);
            setDetails({});
          }}
        />
        <NativeSelect
          label="Owner"
          data={OWNERS.map((o) => ({ value: o, label: o.replaceAll('-', ' ') }))}
          value={owner}
          onChange={(e) => setOwner(e.currentTarget.value)}
        />
        <TextInput label="Starts on" type="date" value={startsOn} onChange={(e) => setStartsOn(e.currentTarget.value)} />
        <TextInput label="Ends on" type="date" value={endsOn} onChange={(e) => setEndsOn(e.currentTarget.value)} />
        {kind === 'continuing-care' ? <TextInput label="Provider (outside the network)" value={value('provider')} onChange={set('provider')} /> : null}
        {kind === 'mutual-help' ? (
          <>
            <NativeSelect label="Fellowship" data={[...FELLOWSHIPS]} value={value('fellowship', 'aa')} onChange={set('fellowship')} />
            <TextInput label="Meetings a week" type="number" min={1} max={14} w={140} value={value('meetingsPerWeek', '3')} onChange={set('meetingsPerWeek')} />
          </>
        ) : null}
        {kind === 'mat-continuation' ? (
          <>
            <NativeSelect label="Medication" data={[...MEDICATIONS]} value={value('medication', 'buprenorphine')} onChange={set('medication')} />
            <TextInput label="Prescriber" value={value('prescriber')} onChange={set('prescriber')} />
            <TextInput label="Next appointment" type="date" value={value('nextAppointmentOn')} onChange={set('nextAppointmentOn')} />
          </>
        ) : null}
        {kind === 'sober-living' ? <TextInput label="Residence" value={value('residence')} onChange={set('residence')} /> : null}
        {kind === 'family-support' ? (
          <NativeSelect label="Support" data={[...FAMILY_SUPPORT]} value={value('support', 'family-therapy')} onChange={set('support')} />
        ) : null}
      </Group>
      <Textarea label="Notes (stay in aftercare)" value={notes} onChange={(e) => setNotes(e.currentTarget.value)} mt="xs" autosize minRows={1} />
      <Group mt="xs">
        <Button
          variant="default"
          onClick={() => {
            onAdd({ kind, owner, startsOn, ...(endsOn ? { endsOn } : {}), ...(notes ? { notes } : {}), ...specific[kind]() });
            setDetails({});
            setNotes('');
          }}
        >
          Add to the plan
        </Button>
      </Group>
    </Card>
  );
}
