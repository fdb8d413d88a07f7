import { Badge, Button, Group, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { intake, query, unwrap } from '../api/client';
import { useSite } from '../site';
import { AppLink, EmptyState, ErrorNotice, PageTitle } from '../ui/common';
import { navigate } from '../router';
import { IntakeQueues } from './IntakeQueues';

export const STAGES = ['new', 'contacted', 'pre-screened', 'assessment-booked', 'assessed', 'admitted', 'closed'] as const;
export type Stage = (typeof STAGES)[number];
const PAGE_SIZE = 25;

export function IntakeBoard() {
  const site = useSite();
  const [stage, setStage] = useState<Stage>('new');
  // Keyset paging: the cursors of the pages before this one, to go back.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const pipeline = useQuery({
    queryKey: ['pipeline', site.siteId],
    queryFn: () => unwrap(intake.GET('/sites/{siteId}/pipeline', { params: { path: { siteId: site.siteId } } })),
  });
  const referrals = useQuery({
    queryKey: ['referrals', site.siteId, stage, cursor],
    queryFn: () => unwrap(intake.GET('/referrals', query({ siteId: site.siteId, stage, pageSize: PAGE_SIZE, cursor }))),
  });
  const counts = pipeline.data?.counts as Record<Stage, number> | undefined;

  return (
    <Stack>
      <PageTitle actions={<Button onClick={() => navigate('/referrals/new')}>New referral</Button>}>Intake board · {site.name}</PageTitle>
      <ErrorNotice error={pipeline.error} />
      {pipeline.data ? (
        <Text size="sm">
          {pipeline.data.activeEpisodes} of {pipeline.data.capacity} places in use · {pipeline.data.waitlisted} waiting · median{' '}
          {pipeline.data.medianDaysReferralToAdmission ?? '–'} days from referral to admission
        </Text>
      ) : null}
      <SegmentedControl
        aria-label="Stage"
        value={stage}
        onChange={(value) => {
          setStage(value as Stage);
          setCursors([]);
        }}
        data={STAGES.map((s) => ({ value: s, label: `${s.replace('-', ' ')}${counts ? ` (${counts[s]})` : ''}` }))}
      />
      <ErrorNotice error={referrals.error} />
      {referrals.isPending ? <Text>Loading referrals…</Text> : null}
      {referrals.data && referrals.data.items.length === 0 ? (
        <EmptyState
          title={`No referrals ${stage === 'new' ? 'waiting for first contact' : `at “${stage}”`}`}
          action={{ label: 'Record a referral', to: '/referrals/new' }}
        >
          When someone calls or is referred, record the referral: the console offers a match if they have called before.
        </EmptyState>
      ) : null}
      {referrals.data && referrals.data.items.length > 0 ? (
        <>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Source</Table.Th>
                <Table.Th>Urgency</Table.Th>
                <Table.Th>Concerns</Table.Th>
                <Table.Th>Days</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {referrals.data.items.map((r) => (
                <Table.Tr key={r.referralId}>
                  <Table.Td>
                    <AppLink to={`/referrals/${r.referralId}`}>
                      {r.familyName}, {r.givenName}
                    </AppLink>
                  </Table.Td>
                  <Table.Td>{r.source}</Table.Td>
                  <Table.Td>{r.urgency === 'routine' ? r.urgency : <Badge color={r.urgency === 'urgent' ? 'red.9' : 'yellow.3'}>{r.urgency}</Badge>}</Table.Td>
                  <Table.Td>{r.presentingConcerns.join(', ')}</Table.Td>
                  <Table.Td>{r.ageDays}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group justify="space-between">
            <Text size="sm" c="dimmed">
              {referrals.data.total !== null ? `${referrals.data.total} in all` : null}
            </Text>
            <Group>
              <Button variant="default" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
                Previous page
              </Button>
              <Button variant="default" disabled={!referrals.data.nextCursor} onClick={() => setCursors([...cursors, referrals.data.nextCursor!])}>
                Next page
              </Button>
            </Group>
          </Group>
        </>
      ) : null}
      <IntakeQueues />
    </Stack>
  );
}
