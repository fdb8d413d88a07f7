import { Badge, Button, Group, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useQueries, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { aftercare, query, unwrap } from '../api/client';
import type { FollowUp } from '../api/generated/aftercare';
import { todayIn, useSite } from '../site';
import { AppLink, EmptyState, ErrorNotice, PageTitle } from '../ui/common';
import { PatientName } from '../ui/PatientName';

const DISCHARGES_PER_PAGE = 10;

/** Days from `today` to `date` (both local YYYY-MM-DD). */
export const daysUntil = (date: string, today: string) => Math.round((Date.parse(`${date}T12:00:00Z`) - Date.parse(`${today}T12:00:00Z`)) / 86_400_000);

/** How a follow-up stands for the person calling: overdue, due today, or due in some days. */
export function DueBadge({ followUp, today }: { followUp: FollowUp; today: string }) {
  if (followUp.state === 'done') return <Badge color="teal.9">done</Badge>;
  if (followUp.state === 'unreachable') return <Badge color="gray.8">closed: unreachable</Badge>;
  if (followUp.state === 'overdue') return <Badge color="red.9">overdue since {followUp.dueOn}</Badge>;
  const days = daysUntil(followUp.dueOn, today);
  if (days <= 0) return <Badge color="orange.9">due today</Badge>;
  return <Badge color="blue.9">due in {days === 1 ? '1 day' : `${days} days`}</Badge>;
}

/**
 * The follow-up work list: the open follow-ups (due, overdue) of the site's signed discharges, soonest first. Aftercare
 * has no site-wide follow-up list yet, so this pages through the site's signed discharges (newest first, by keyset)
 * and asks for each one's follow-ups (+7, +30, +90 days): one audited read per discharged episode shown.
 */
export function FollowUpQueue() {
  const site = useSite();
  const today = todayIn(site.timeZone);
  const [cursors, setCursors] = useState<string[]>([]);
  const discharges = useQuery({
    queryKey: ['discharges', site.siteId, 'signed', cursors.at(-1)],
    queryFn: () =>
      unwrap(
        aftercare.GET('/sites/{siteId}/discharges', {
          params: { path: { siteId: site.siteId } },
          ...query({ status: 'signed', limit: DISCHARGES_PER_PAGE, cursor: cursors.at(-1) }),
        }),
      ),
  });
  const episodes = (discharges.data?.items ?? []).map((d) => d.episodeId);
  const followUps = useQueries({
    queries: episodes.map((episodeId) => ({
      queryKey: ['follow-ups', episodeId],
      queryFn: () => unwrap(aftercare.GET('/episodes/{episodeId}/follow-ups', { params: { path: { episodeId } } })),
    })),
  });
  const open = followUps
    .flatMap((f) => f.data?.followUps ?? [])
    .filter((f) => f.state === 'due' || f.state === 'overdue')
    .sort((a, b) => (a.state === b.state ? a.dueOn.localeCompare(b.dueOn) : a.state === 'overdue' ? -1 : 1));
  const loading = discharges.isPending || followUps.some((f) => f.isPending);
  const failed = discharges.error ?? followUps.find((f) => f.error)?.error;

  return (
    <Stack>
      <PageTitle>Follow-ups · {site.name}</PageTitle>
      <Text size="sm">
        Open follow-ups (7, 30 and 90 days after discharge) of the {DISCHARGES_PER_PAGE} most recent signed discharges on this page, overdue first, then by the
        day they are due. Record each call on the patient&apos;s aftercare page.
      </Text>
      <ErrorNotice error={failed} />
      {loading ? <Text>Loading the follow-ups…</Text> : null}
      {!loading && discharges.data?.items.length === 0 && cursors.length === 0 ? (
        <EmptyState title="No signed discharge yet" action={{ label: 'Open the discharges', to: '/aftercare' }}>
          Follow-ups are planned when a discharge is signed: draft and sign one on the Aftercare screen.
        </EmptyState>
      ) : null}
      {!loading && discharges.data && discharges.data.items.length > 0 && open.length === 0 ? (
        <EmptyState title="Nothing to call on this page">
          Every follow-up of these discharges is done or closed.{' '}
          {discharges.data.nextCursor ? 'Older discharges are on the next page.' : 'New ones appear when a discharge is signed.'}
        </EmptyState>
      ) : null}
      {open.length > 0 ? (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Patient</Table.Th>
              <Table.Th>Follow-up</Table.Th>
              <Table.Th>Due on</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Open</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {open.map((f) => (
              <Table.Tr key={f.followUpId}>
                <Table.Td>
                  <PatientName patientId={f.patientId} />
                </Table.Td>
                <Table.Td>{f.dayOffset}-day</Table.Td>
                <Table.Td>{f.dueOn}</Table.Td>
                <Table.Td>
                  <DueBadge followUp={f} today={today} />
                </Table.Td>
                <Table.Td>{f.attempts.length === 0 ? 'none yet' : `${f.attempts.length} (last: ${f.attempts.at(-1)!.outcome.replaceAll('-', ' ')})`}</Table.Td>
                <Table.Td>
                  <AppLink to={`/aftercare/episodes/${f.episodeId}`}>
                    Call for the {f.dayOffset}-day follow-up<VisuallyHidden> due {f.dueOn}</VisuallyHidden>
                  </AppLink>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
      {discharges.data && (discharges.data.nextCursor || cursors.length > 0) ? (
        <Group>
          <Button variant="default" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
            Newer discharges
          </Button>
          <Button variant="default" disabled={!discharges.data.nextCursor} onClick={() => setCursors([...cursors, discharges.data.nextCursor!])}>
            Older discharges
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}
