import { Badge, Button, Checkbox, Group, NumberInput, Select, SimpleGrid, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { scheduling, unwrap } from '../api/client';
import type { Program, Site, Track, paths } from '../api/generated/scheduling';
import { todayIn, useSite } from '../site';
import { EmptyState, ErrorNotice, FormPanel, PageTitle, fieldError } from '../ui/common';
import { usePage } from '../ui/paging';

/** Network administration: the network's sites, and the current site's programs and tracks. */
export function NetworkAdmin() {
  const site = useSite();
  return (
    <Stack>
      <PageTitle>Network administration</PageTitle>
      <Sites />
      <Programs key={`programs-${site.siteId}`} />
      <Tracks key={`tracks-${site.siteId}`} />
    </Stack>
  );
}

type SiteBody = paths['/sites']['post']['requestBody']['content']['application/json'];
const SITE_FIELDS = ['name', 'timeZone', 'capacity', 'address.line1', 'address.city', 'address.state', 'address.postalCode'];
const ZONES = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Phoenix', 'America/Los_Angeles', 'America/Anchorage', 'Pacific/Honolulu'];

function Sites() {
  const queryClient = useQueryClient();
  const sites = useQuery({ queryKey: ['sites'], queryFn: () => unwrap(scheduling.GET('/sites')) });
  const [editing, setEditing] = useState<Site | 'new' | null>(null);
  const { rows, pager } = usePage(sites.data ?? []);
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Title order={2} size="h3">
          Sites
        </Title>
        <Button variant="default" onClick={() => setEditing('new')}>
          Register a site
        </Button>
      </Group>
      <ErrorNotice error={sites.error} />
      <EditableTable
        columns={['Name', 'Address', 'Time zone', 'Places']}
        rows={rows}
        cells={(s) => [s.name, `${s.address.line1}, ${s.address.city}, ${s.address.state} ${s.address.postalCode}`, s.timeZone, s.capacity]}
        name={(s) => s.name}
        onEdit={setEditing}
      />
      {pager}
      {editing ? (
        <SiteForm
          key={editing === 'new' ? 'new' : editing.siteId}
          site={editing === 'new' ? null : editing}
          onDone={async () => {
            await queryClient.invalidateQueries({ queryKey: ['sites'] });
            setEditing(null);
          }}
        />
      ) : null}
    </Stack>
  );
}

function SiteForm({ site, onDone }: { site: Site | null; onDone: () => void }) {
  const [form, setForm] = useState({
    name: site?.name ?? '',
    line1: site?.address.line1 ?? '',
    city: site?.address.city ?? '',
    state: site?.address.state ?? '',
    postalCode: site?.address.postalCode ?? '',
    timeZone: site?.timeZone ?? 'America/New_York',
    capacity: (site?.capacity ?? 30) as number | string,
  });
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });
  const save = useMutation({
    mutationFn: () => {
      const body: SiteBody = {
        name: form.name,
        address: { line1: form.line1, city: form.city, state: form.state, postalCode: form.postalCode },
        timeZone: form.timeZone,
        capacity: Number(form.capacity),
      };
      return site
        ? unwrap(scheduling.PATCH('/sites/{siteId}', { params: { path: { siteId: site.siteId } }, body }))
        : unwrap(scheduling.POST('/sites', { body }));
    },
    onSuccess: onDone,
  });
  const err = (field: string) => fieldError(save.error, field);
  return (
    <FormPanel label={site ? `Edit ${site.name}` : 'Register a site'} onSubmit={() => save.mutate()}>
      <SimpleGrid cols={{ base: 1, sm: 4 }}>
        <TextInput label="Site name" required value={form.name} onChange={(e) => set({ name: e.currentTarget.value })} error={err('name')} />
        <TextInput label="Street" required value={form.line1} onChange={(e) => set({ line1: e.currentTarget.value })} error={err('address.line1')} />
        <TextInput label="City" required value={form.city} onChange={(e) => set({ city: e.currentTarget.value })} error={err('address.city')} />
        <TextInput label="State" required value={form.state} onChange={(e) => set({ state: e.currentTarget.value })} error={err('address.state')} />
        <TextInput
          label="ZIP code"
          required
          value={form.postalCode}
          onChange={(e) => set({ postalCode: e.currentTarget.value })}
          error={err('address.postalCode')}
        />
        <Select
          label="Time zone"
          data={ZONES}
          value={form.timeZone}
          onChange={(v) => set({ timeZone: v ?? form.timeZone })}
          searchable
          allowDeselect={false}
          error={err('timeZone')}
        />
        <NumberInput label="Places (patients at once)" value={form.capacity} onChange={(v) => set({ capacity: v })} error={err('capacity')} />
      </SimpleGrid>
      <ErrorNotice error={save.error} fields={SITE_FIELDS} />
      <Group>
        <Button type="submit" loading={save.isPending}>
          {site ? 'Save the site' : 'Register the site'}
        </Button>
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
      </Group>
    </FormPanel>
  );
}

const KINDS = ['substance-use', 'mental-health', 'co-occurring'];
const PROGRAM_FIELDS = ['name', 'kind', 'population', 'levelOfCare', 'minWeeklyMinutes', 'maxWeeklyMinutes', 'perDiemMinimumMinutes', 'defaultLengthWeeks'];

function Programs() {
  const site = useSite();
  const queryClient = useQueryClient();
  const programs = useQuery({
    queryKey: ['programs', site.siteId],
    queryFn: () => unwrap(scheduling.GET('/sites/{siteId}/programs', { params: { path: { siteId: site.siteId } } })),
  });
  const [editing, setEditing] = useState<Program | 'new' | null>(null);
  const { rows, pager } = usePage(programs.data ?? []);
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Title order={2} size="h3">
          Programs · {site.name}
        </Title>
        <Button variant="default" onClick={() => setEditing('new')}>
          Define a program
        </Button>
      </Group>
      <ErrorNotice error={programs.error} />
      {programs.data && programs.data.length === 0 ? (
        <EmptyState title="No program at this site yet">Define a program (kind, population, level of care); then tracks of group sessions in it.</EmptyState>
      ) : null}
      <EditableTable
        columns={['Name', 'Kind', 'Level', 'Weekly hours', 'Per-diem minimum', 'Length']}
        rows={rows}
        cells={(p) => [
          p.name,
          `${p.kind}, ${p.population}`,
          p.levelOfCare,
          p.weeklyRange,
          <>{p.perDiemMinimumMinutes} min</>,
          <>{p.defaultLengthWeeks} weeks</>,
        ]}
        name={(p) => p.name}
        onEdit={setEditing}
      />
      {pager}
      {editing ? (
        <ProgramForm
          key={editing === 'new' ? 'new' : editing.programId}
          program={editing === 'new' ? null : editing}
          onDone={async () => {
            await queryClient.invalidateQueries({ queryKey: ['programs', site.siteId] });
            setEditing(null);
          }}
        />
      ) : null}
    </Stack>
  );
}

function ProgramForm({ program, onDone }: { program: Program | null; onDone: () => void }) {
  const site = useSite();
  const [form, setForm] = useState({
    name: program?.name ?? '',
    kind: program?.kind ?? 'substance-use',
    population: program?.population ?? 'adult',
    levelOfCare: program?.levelOfCare ?? '2.1',
    minWeeklyMinutes: (program?.minWeeklyMinutes ?? '') as number | string,
    perDiemMinimumMinutes: (program?.perDiemMinimumMinutes ?? '') as number | string,
    defaultLengthWeeks: (program?.defaultLengthWeeks ?? '') as number | string,
  });
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });
  const optional = (key: 'minWeeklyMinutes' | 'perDiemMinimumMinutes' | 'defaultLengthWeeks') => (form[key] === '' ? {} : { [key]: Number(form[key]) });
  const save = useMutation({
    mutationFn: () =>
      program
        ? unwrap(
            scheduling.PATCH('/programs/{programId}', {
              params: { path: { programId: program.programId } },
              body: { name: form.name, ...optional('minWeeklyMinutes'), ...optional('perDiemMinimumMinutes'), ...optional('defaultLengthWeeks') },
            }),
          )
        : unwrap(
            scheduling.POST('/sites/{siteId}/programs', {
              params: { path: { siteId: site.siteId } },
              body: {
                name: form.name,
                kind: form.kind as Program['kind'],
                population: form.population as Program['population'],
                levelOfCare: form.levelOfCare as Program['levelOfCare'],
                ...optional('minWeeklyMinutes'),
                ...optional('perDiemMinimumMinutes'),
                ...optional('defaultLengthWeeks'),
              },
            }),
          ),
    onSuccess: onDone,
  });
  const err = (field: string) => fieldError(save.error, field);
  return (
    <FormPanel label={program ? `Edit ${program.name}` : 'Define a program'} onSubmit={() => save.mutate()}>
      <SimpleGrid cols={{ base: 1, sm: 4 }}>
        <TextInput label="Program name" required value={form.name} onChange={(e) => set({ name: e.currentTarget.value })} error={err('name')} />
        <Select
          label="Kind"
          data={KINDS}
          value={form.kind}
          onChange={(v) => set({ kind: (v ?? form.kind) as Program['kind'] })}
          disabled={!!program}
          allowDeselect={false}
          error={err('kind')}
        />
        <Select
          label="Population"
          data={['adult', 'adolescent']}
          value={form.population}
          onChange={(v) => set({ population: (v ?? form.population) as Program['population'] })}
          disabled={!!program}
          allowDeselect={false}
          error={err('population')}
        />
        <Select
          label="Level of care"
          data={[
            { value: '1', label: '1 (outpatient)' },
            { value: '2.1', label: '2.1 (intensive outpatient)' },
            { value: '2.5', label: '2.5 (partial hospitalisation)' },
          ]}
          value={form.levelOfCare}
          onChange={(v) => set({ levelOfCare: (v ?? form.levelOfCare) as Program['levelOfCare'] })}
          disabled={!!program}
          allowDeselect={false}
          error={err('levelOfCare')}
        />
        <NumberInput
          label="Weekly minimum (minutes)"
          description="Empty: ASAM's for the level"
          value={form.minWeeklyMinutes}
          onChange={(v) => set({ minWeeklyMinutes: v })}
          error={err('minWeeklyMinutes')}
        />
        <NumberInput
          label="Per-diem minimum (minutes)"
          description="Empty: 180"
          value={form.perDiemMinimumMinutes}
          onChange={(v) => set({ perDiemMinimumMinutes: v })}
          error={err('perDiemMinimumMinutes')}
        />
        <NumberInput
          label="Default length (weeks)"
          description="Empty: 10"
          value={form.defaultLengthWeeks}
          onChange={(v) => set({ defaultLengthWeeks: v })}
          error={err('defaultLengthWeeks')}
        />
      </SimpleGrid>
      <ErrorNotice error={save.error} fields={PROGRAM_FIELDS} />
      <Group>
        <Button type="submit" loading={save.isPending}>
          {program ? 'Save the program' : 'Define the program'}
        </Button>
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
      </Group>
    </FormPanel>
  );
}

const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const TRACK_FIELDS = [
  'programId',
  'name',
  'recurrence',
  'startsOn',
  'endsOn',
  'blockStart',
  'sessions',
  'sessions.0.topic',
  'sessions.0.modality',
  'sessions.0.durationMinutes',
  'sessions.0.leaderId',
  'sessions.0.roomId',
  'sessions.0.capacity',
];

function Tracks() {
  const site = useSite();
  const queryClient = useQueryClient();
  const tracks = useQuery({
    queryKey: ['tracks', site.siteId],
    queryFn: () => unwrap(scheduling.GET('/sites/{siteId}/tracks', { params: { path: { siteId: site.siteId } } })),
  });
  const programs = useQuery({
    queryKey: ['programs', site.siteId],
    queryFn: () => unwrap(scheduling.GET('/sites/{siteId}/programs', { params: { path: { siteId: site.siteId } } })),
  });
  const [editing, setEditing] = useState<Track | 'new' | null>(null);
  const { rows, pager } = usePage(tracks.data ?? []);
  const programName = (id: string) => programs.data?.find((p) => p.programId === id)?.name ?? id.slice(0, 8);
  const done = async () => {
    await queryClient.invalidateQueries({ queryKey: ['tracks', site.siteId] });
    setEditing(null);
  };
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Title order={2} size="h3">
          Tracks · {site.name}
        </Title>
        <Button variant="default" onClick={() => setEditing('new')} disabled={!programs.data?.length}>
          Define a track
        </Button>
      </Group>
      <ErrorNotice error={tracks.error} />
      {tracks.data && tracks.data.length === 0 ? (
        <EmptyState title="No track at this site yet">
          {programs.data?.length ? 'Define a track: a recurring block of group sessions in a program.' : 'Define a program first; a track runs in one.'}
        </EmptyState>
      ) : null}
      <EditableTable
        columns={['Name', 'Program', 'When', 'Weekly hours', 'Runs']}
        rows={rows}
        cells={(t) => [
          <>
            {t.name} {t.active ? null : <Badge color="gray.7">ended</Badge>}
          </>,
          programName(t.programId),
          `${t.recurrence.replace('FREQ=WEEKLY;BYDAY=', '')} at ${t.blockStart} (${t.timeZone})`,
          t.weeklyHours,
          `${t.startsOn} to ${t.endsOn ?? 'open'}`,
        ]}
        name={(t) => t.name}
        onEdit={setEditing}
      />
      {pager}
      {editing === 'new' ? <NewTrack programs={programs.data ?? []} onDone={done} /> : null}
      {editing && editing !== 'new' ? <EditTrack key={editing.trackId} track={editing} onDone={done} /> : null}
    </Stack>
  );
}

function NewTrack({ programs, onDone }: { programs: Program[]; onDone: () => void }) {
  const site = useSite();
  const clinicians = useQuery({
    queryKey: ['clinicians', site.siteId],
    queryFn: () => unwrap(scheduling.GET('/sites/{siteId}/clinicians', { params: { path: { siteId: site.siteId } } })),
  });
  const rooms = useQuery({
    queryKey: ['rooms', site.siteId],
    queryFn: () => unwrap(scheduling.GET('/sites/{siteId}/rooms', { params: { path: { siteId: site.siteId } } })),
  });
  const [form, setForm] = useState({
    programId: (programs[0]?.programId ?? null) as string | null,
    name: '',
    days: ['MO', 'TU', 'TH'] as string[],
    startsOn: todayIn(site.timeZone),
    blockStart: '09:00',
    topic: '',
    modality: '',
    durationMinutes: 180 as number | string,
    leaderId: null as string | null,
    roomId: null as string | null,
    capacity: 10 as number | string,
  });
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        scheduling.POST('/sites/{siteId}/tracks', {
          params: { path: { siteId: site.siteId } },
          body: {
            programId: form.programId ?? '',
            name: form.name,
            recurrence: `FREQ=WEEKLY;BYDAY=${DAYS.filter((d) => form.days.includes(d)).join(',')}`,
            startsOn: form.startsOn,
            blockStart: form.blockStart,
            sessions: [
              {
                topic: form.topic,
                modality: form.modality,
                durationMinutes: Number(form.durationMinutes),
                leaderId: form.leaderId ?? '',
                roomId: form.roomId ?? '',
                capacity: Number(form.capacity),
              },
            ],
          },
        }),
      ),
    onSuccess: onDone,
  });
  const err = (field: string) => fieldError(create.error, field);
  return (
    <FormPanel label="Define a track" onSubmit={() => create.mutate()}>
      <SimpleGrid cols={{ base: 1, sm: 4 }}>
        <Select
          label="Program"
          data={programs.map((p) => ({ value: p.programId, label: p.name }))}
          value={form.programId}
          onChange={(v) => set({ programId: v })}
          allowDeselect={false}
          error={err('programId')}
        />
        <TextInput label="Track name" required value={form.name} onChange={(e) => set({ name: e.currentTarget.value })} error={err('name')} />
        <TextInput type="date" label="First day" value={form.startsOn} onChange={(e) => set({ startsOn: e.currentTarget.value })} error={err('startsOn')} />
        <TextInput
          type="time"
          label="Block starts at"
          value={form.blockStart}
          onChange={(e) => set({ blockStart: e.currentTarget.value })}
          error={err('blockStart')}
        />
      </SimpleGrid>
      <Checkbox.Group label="Days" value={form.days} onChange={(days) => set({ days })} error={err('recurrence')}>
        <Group mt={4}>
          {DAYS.map((d) => (
            <Checkbox key={d} value={d} label={d} />
          ))}
        </Group>
      </Checkbox.Group>
      <Text size="sm" fw={600}>
        The group session
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <TextInput label="Topic" required value={form.topic} onChange={(e) => set({ topic: e.currentTarget.value })} error={err('sessions.0.topic')} />
        <TextInput
          label="Modality"
          required
          value={form.modality}
          onChange={(e) => set({ modality: e.currentTarget.value })}
          error={err('sessions.0.modality')}
        />
        <NumberInput label="Minutes" value={form.durationMinutes} onChange={(v) => set({ durationMinutes: v })} error={err('sessions.0.durationMinutes')} />
        <Select
          label="Leader"
          data={(clinicians.data ?? []).filter((c) => c.active).map((c) => ({ value: c.clinicianId, label: c.displayName }))}
          value={form.leaderId}
          onChange={(v) => set({ leaderId: v })}
          error={err('sessions.0.leaderId')}
        />
        <Select
          label="Room"
          data={(rooms.data ?? []).filter((r) => r.active).map((r) => ({ value: r.roomId, label: `${r.name} (${r.capacity})` }))}
          value={form.roomId}
          onChange={(v) => set({ roomId: v })}
          error={err('sessions.0.roomId')}
        />
        <NumberInput label="Seats" value={form.capacity} onChange={(v) => set({ capacity: v })} error={err('sessions.0.capacity')} />
      </SimpleGrid>
      <ErrorNotice error={create.error ?? clinicians.error ?? rooms.error} fields={TRACK_FIELDS} />
      <Group>
        <Button type="submit" loading={create.isPending}>
          Define the track
        </Button>
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
      </Group>
    </FormPanel>
  );
}

/** What a track allows changing: its name and its end date (sessions after it are cancelled). */
function EditTrack({ track, onDone }: { track: Track; onDone: () => void }) {
  const [name, setName] = useState(track.name);
  const [endsOn, setEndsOn] = useState(track.endsOn ?? '');
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        scheduling.PATCH('/tracks/{trackId}', {
          params: { path: { trackId: track.trackId } },
          body: { name, ...(endsOn && endsOn !== track.endsOn ? { endsOn } : {}) },
        }),
      ),
    onSuccess: onDone,
  });
  return (
    <FormPanel label={`Edit ${track.name}`} onSubmit={() => save.mutate()}>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label="Track name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(save.error, 'name')} />
        <TextInput
          type="date"
          label="Last day"
          description="Sessions after it are cancelled"
          value={endsOn}
          onChange={(e) => setEndsOn(e.currentTarget.value)}
          error={fieldError(save.error, 'endsOn')}
        />
      </SimpleGrid>
      <ErrorNotice error={save.error} fields={['name', 'endsOn']} />
      <Group>
        <Button type="submit" loading={save.isPending}>
          Save the track
        </Button>
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
      </Group>
    </FormPanel>
  );
}

/** What an administrator maintains, a row per item, each with an Edit button named after it; nothing when there is none. */
function EditableTable<T>({
  columns,
  rows,
  cells,
  name,
  onEdit,
}: {
  columns: readonly string[];
  rows: readonly T[];
  cells: (row: T) => ReactNode[];
  name: (row: T) => string;
  onEdit: (row: T) => void;
}) {
  if (rows.length === 0) return null;
  return (
    <Table
      data={{
        head: [...columns, <VisuallyHidden key="action">Action</VisuallyHidden>],
        body: rows.map((row) => [
          ...cells(row),
          <Button key="edit" size="xs" variant="default" onClick={() => onEdit(row)} aria-label={`Edit ${name(row)}`}>
            Edit
          </Button>,
        ]),
      }}
    />
  );
}
