import { Alert, Button, Group, List, MultiSelect, Select, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { intake, unwrap } from '../api/client';
import type { ReferralCreated, RepeatCallerMatch, paths } from '../api/generated/intake';
import { navigate } from '../router';
import { useSite } from '../site';
import { AppLink, ErrorNotice, PageTitle, fieldError } from '../ui/common';

type Body = paths['/referrals']['post']['requestBody']['content']['application/json'];
const SOURCES: Body['source'][] = ['self', 'family', 'hospital-ed', 'detox', 'inpatient-step-down', 'court', 'employer-assistance-programme', 'other-provider'];
const CONCERNS: Body['presentingConcerns'] = [
  'alcohol',
  'opioids',
  'stimulants',
  'cannabis',
  'benzodiazepines',
  'other-substance',
  'depression',
  'anxiety',
  'bipolar',
  'ptsd',
  'eating-disorder',
  'ocd',
  'bpd',
  'adhd',
  'psychosis',
  'other-mental-health',
];
const FIELDS = ['source', 'urgency', 'caller.givenName', 'caller.familyName', 'caller.dateOfBirth', 'caller.phone', 'presentingConcerns', 'concernNotes'];

export function NewReferral() {
  const site = useSite();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({
    source: 'self' as Body['source'],
    urgency: 'routine' as NonNullable<Body['urgency']>,
    givenName: '',
    familyName: '',
    dateOfBirth: '',
    phone: '',
    concerns: [] as string[],
    notes: '',
  });
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        intake.POST('/referrals', {
          body: {
            siteId: site.siteId,
            source: form.source,
            urgency: form.urgency,
            caller: {
              givenName: form.givenName,
              familyName: form.familyName,
              ...(form.dateOfBirth ? { dateOfBirth: form.dateOfBirth } : {}),
              ...(form.phone ? { phone: form.phone } : {}),
            },
            presentingConcerns: form.concerns as Body['presentingConcerns'],
            ...(form.notes ? { concernNotes: form.notes } : {}),
          },
        }),
      ),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: ['referrals', site.siteId] });
      await queryClient.invalidateQueries({ queryKey: ['pipeline', site.siteId] });
      if (!created.repeatCaller.linked && created.repeatCaller.possibleMatches.length === 0) navigate(`/referrals/${created.referralId}`);
    },
  });
  const err = (field: string) => fieldError(create.error, field);

  if (create.data) return <Created created={create.data} />;
  return (
    <Stack maw={760}>
      <PageTitle>New referral · {site.name}</PageTitle>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <Stack>
          <SimpleGrid cols={2}>
            <TextInput
              label="Given name"
              required
              value={form.givenName}
              onChange={(e) => set({ givenName: e.currentTarget.value })}
              error={err('caller.givenName')}
            />
            <TextInput
              label="Family name"
              required
              value={form.familyName}
              onChange={(e) => set({ familyName: e.currentTarget.value })}
              error={err('caller.familyName')}
            />
            <TextInput
              label="Date of birth"
              type="date"
              value={form.dateOfBirth}
              onChange={(e) => set({ dateOfBirth: e.currentTarget.value })}
              error={err('caller.dateOfBirth')}
            />
            <TextInput label="Phone" type="tel" value={form.phone} onChange={(e) => set({ phone: e.currentTarget.value })} error={err('caller.phone')} />
            <Select
              label="Source"
              data={SOURCES.map((s) => ({ value: s, label: s.replaceAll('-', ' ') }))}
              value={form.source}
              onChange={(v) => v && set({ source: v as Body['source'] })}
              allowDeselect={false}
              error={err('source')}
            />
            <Select
              label="Urgency"
              data={['routine', 'expedited', 'urgent']}
              value={form.urgency}
              onChange={(v) => v && set({ urgency: v as typeof form.urgency })}
              allowDeselect={false}
              error={err('urgency')}
            />
          </SimpleGrid>
          <MultiSelect
            label="Presenting concerns"
            data={CONCERNS.map((c) => ({ value: c, label: c.replaceAll('-', ' ') }))}
            value={form.concerns}
            onChange={(v) => set({ concerns: v })}
            error={err('presentingConcerns')}
            searchable
          />
          <Textarea label="Notes on the concerns" value={form.notes} onChange={(e) => set({ notes: e.currentTarget.value })} error={err('concernNotes')} />
          <ErrorNotice error={create.error} fields={FIELDS} />
          <Group>
            <Button type="submit" loading={create.isPending}>
              Record the referral
            </Button>
            <Button variant="default" onClick={() => navigate('/')}>
              Cancel
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}

function Created({ created }: { created: ReferralCreated }) {
  const { linked, match, possibleMatches } = created.repeatCaller;
  return (
    <Stack maw={760}>
      <PageTitle>Referral recorded</PageTitle>
      {linked && match ? (
        <Alert color="blue" title="Linked to the patient on file">
          <Reasons match={match} />
        </Alert>
      ) : null}
      {possibleMatches.length > 0 ? (
        <Alert color="yellow" title="This caller may have called before">
          <Text size="sm">Confirm with the caller. If it is the same person, record the referral again naming them, so their history stays together.</Text>
          {possibleMatches.map((m) => (
            <Stack key={m.knownCallerId} gap={2} mt="sm">
              <Text size="sm" fw={600}>
                {m.verdict.replace('-', ' ')} (score {m.score})
              </Text>
              <Reasons match={m} />
            </Stack>
          ))}
        </Alert>
      ) : null}
      <Group>
        <AppLink to={`/referrals/${created.referralId}`}>Open the referral</AppLink>
      </Group>
    </Stack>
  );
}

function Reasons({ match }: { match: RepeatCallerMatch }) {
  return (
    <List size="sm">
      {match.reasons.map((r) => (
        <List.Item key={r.signal}>{r.text}</List.Item>
      ))}
    </List>
  );
}
