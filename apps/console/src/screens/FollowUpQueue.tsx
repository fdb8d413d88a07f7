import { Badge, Button, Group, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { aftercare, query, unwrap } from '../api/client';
import type { FollowUp } from '../api/generated/aftercare';
import { todayIn, useSite } from '../site';
import { AppLink, EmptyState, ErrorNotice, PageTitle } from '../ui/common';
import { PatientName } from '../ui/PatientName';

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

/** Follow-ups on a page of the work list. */
const PER_PAGE = 25;

/**
 * The follow-up work list: the site's open follow-ups (due, overdue), oldest due day first, so what is overdue comes
 * first; aftercare pages it by keyset and audits each listing.
 */
export function FollowUpQueue() {
  const site = useSite();
  const today = todayIn(site.timeZone);
  const [cursors, setCursors] = useState<string[]>([]);
  const list = useQuery({
    queryKey: ['follow-ups', 'site', site.siteId, cursors.at(-1)],
    queryFn: () =>
      unwrap(
        aftercare.GET('/sites/{siteId}/follow-ups', {
          params: { path: { siteId: site.siteId } },
          ...query({ state: 'open', limit: PER_PAGE, cursor: cursors.at(-1) }),
        }),
      ),
  });
  const open = list.data?.items ?? [];

  return (
    <Stack>
      <PageTitle>Follow-ups · {site.name}</PageTitle>
      <Text size="sm">
        Open follow-ups (7, 30 and 90 days after discharge), overdue first, then by the day they are due. Record each call on the patient&apos;s aftercare page.
      </Text>
      <ErrorNotice error={list.error} />
      {list.isPending ? <Text>Loading the follow-ups…</Text> : null}
      {list.data && open.length === 0 && cursors.length === 0 ? (
        <EmptyState title="Nothing to call" action={{ label: 'Open the discharges', to: '/aftercare' }}>
          Every follow-up is done or closed. Follow-ups are planned when a discharge is signed on the Aftercare screen.
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
      {list.data && (list.data.nextCursor || cursors.length > 0) ? (
        <Group>
          <Button variant="default" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous page
          </Button>
          <Button variant="default" disabled={!list.data.nextCursor} onClick={() => setCursors([...cursors, list.data.nextCursor!])}>
            Next page
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}
