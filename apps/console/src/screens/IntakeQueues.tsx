import { Badge, Button, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { intake, unwrap } from '../api/client';
import { useSite } from '../site';
import { AppLink, ErrorNotice, formatDateTime } from '../ui/common';
import { PatientName } from '../ui/PatientName';

/** The coordinators' open follow-up tasks and the site's waitlist, under the intake board. */
export function IntakeQueues() {
  const site = useSite();
  const queryClient = useQueryClient();
  const path = { params: { path: { siteId: site.siteId } } };
  const tasks = useQuery({ queryKey: ['follow-up-tasks', site.siteId], queryFn: () => unwrap(intake.GET('/sites/{siteId}/follow-up-tasks', path)) });
  const waitlist = useQuery({ queryKey: ['waitlist', site.siteId], queryFn: () => unwrap(intake.GET('/sites/{siteId}/waitlist', path)) });
  const complete = useMutation({
    mutationFn: (taskId: string) => unwrap(intake.POST('/follow-up-tasks/{taskId}/completion', { params: { path: { taskId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['follow-up-tasks', site.siteId] }),
  });
  return (
    <Stack mt="lg">
      <Title order={2} size="h3">
        Follow-up tasks
      </Title>
      <ErrorNotice error={tasks.error ?? complete.error} />
      {tasks.data && tasks.data.length === 0 ? (
        <Text size="sm">Nothing to follow up. Tasks appear when insurance does not answer, refuses, or the site is full.</Text>
      ) : null}
      {tasks.data && tasks.data.length > 0 ? (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Patient</Table.Th>
              <Table.Th>What happened</Table.Th>
              <Table.Th>Since</Table.Th>
              <Table.Th>Done</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tasks.data.map((t) => (
              <Table.Tr key={t.taskId}>
                <Table.Td>
                  <AppLink to={`/referrals/${t.referralId}`}>
                    <PatientName patientId={t.patientId} />
                  </AppLink>
                </Table.Td>
                <Table.Td>
                  <Badge color="gray.8" mr={6}>
                    {t.kind.replaceAll('-', ' ')}
                  </Badge>
                  {t.detail}
                </Table.Td>
                <Table.Td>{formatDateTime(t.createdAt)}</Table.Td>
                <Table.Td>
                  <Button size="xs" variant="default" onClick={() => complete.mutate(t.taskId)} loading={complete.isPending && complete.variables === t.taskId}>
                    Mark done
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
      <Title order={2} size="h3">
        Waitlist
      </Title>
      <ErrorNotice error={waitlist.error} />
      {waitlist.data && waitlist.data.length === 0 ? <Text size="sm">Nobody is waiting: the site has had a place for everyone admitted.</Text> : null}
      {waitlist.data && waitlist.data.length > 0 ? (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Place</Table.Th>
              <Table.Th>Patient</Table.Th>
              <Table.Th>Urgency</Table.Th>
              <Table.Th>Waiting since</Table.Th>
              <Table.Th>Offer</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {waitlist.data.map((w) => (
              <Table.Tr key={w.entryId}>
                <Table.Td>{w.position}</Table.Td>
                <Table.Td>
                  <AppLink to={`/referrals/${w.referralId}`}>
                    <PatientName patientId={w.patientId} />
                  </AppLink>
                  {w.hasPriority ? ' (priority)' : ''}
                </Table.Td>
                <Table.Td>{w.urgency}</Table.Td>
                <Table.Td>{formatDateTime(w.addedAt)}</Table.Td>
                <Table.Td>{w.offer ? `${w.offer.status}, ${formatDateTime(w.offer.offeredAt)}` : 'none yet'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
    </Stack>
  );
}
