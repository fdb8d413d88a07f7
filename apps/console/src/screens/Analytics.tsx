import { Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQueries, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { attendance, query, scheduling, unwrap } from '../api/client';
import { addDays, mondayOf, todayIn, useSite } from '../site';
import { EmptyState, ErrorNotice, PageTitle } from '../ui/common';
import { LineChart } from '../ui/charts';

const WEEKS = 12;
const COLORS = ['#1864ab', '#c92a2a', '#237032', '#862e9c', '#a63c06', '#0b7285'];

type Cell = { value: number | null; suppressed: boolean };
type Figure = 'attendanceRate' | 'hoursPerPatient' | 'noShowRate';
const CHARTS: Array<{ figure: Figure; title: string; format: (v: number) => string; max?: number }> = [
  { figure: 'attendanceRate', title: 'Attendance rate', format: (v) => `${Math.round(v * 100)}%`, max: 1 },
  { figure: 'hoursPerPatient', title: 'Hours per patient', format: (v) => `${Math.round(v * 10) / 10} h` },
  { figure: 'noShowRate', title: 'No-show rate', format: (v) => `${Math.round(v * 100)}%`, max: 1 },
];
const cellText = (cell: Cell, format: (v: number) => string) => (cell.suppressed ? 'suppressed' : cell.value === null ? '–' : format(cell.value));

/**
 * The analysts' view: each site's weeks as attendance publishes them to analysts (analytics.site-week), de-identified,
 * with counts from 1 to 10 and the rates from them suppressed. Every site the token may see, twelve weeks at a time.
 */
export function Analytics() {
  const site = useSite();
  const [endMonday, setEndMonday] = useState(mondayOf(todayIn(site.timeZone)));
  const from = addDays(endMonday, -7 * (WEEKS - 1));
  const mondays = Array.from({ length: WEEKS }, (_, i) => addDays(from, 7 * i));
  const sites = useQuery({ queryKey: ['sites'], queryFn: () => unwrap(scheduling.GET('/sites')) });
  const weeks = useQueries({
    queries: (sites.data ?? []).map((s) => ({
      queryKey: ['site-weeks', s.siteId, from, endMonday],
      queryFn: () => unwrap(attendance.GET('/sites/{siteId}/site-weeks', { params: { path: { siteId: s.siteId } }, ...query({ from, to: endMonday }) })),
      retry: false,
    })),
  });
  const loaded = (sites.data ?? []).map((s, i) => ({ site: s, data: weeks[i]?.data, error: weeks[i]?.error }));
  const withWeeks = loaded.filter((l) => l.data && l.data.weeks.length > 0);
  const settled = weeks.length > 0 && weeks.every((w) => !w.isPending);
  const cellAt = (l: (typeof loaded)[number], monday: string, figure: Figure | 'census') =>
    (l.data?.weeks.find((w) => w.weekStart === monday)?.[figure] as Cell | undefined) ?? null;

  return (
    <Stack>
      <PageTitle
        actions={
          <Group>
            <Button variant="default" onClick={() => setEndMonday(addDays(endMonday, -7 * WEEKS))}>
              Earlier weeks
            </Button>
            <Button variant="default" disabled={endMonday >= mondayOf(todayIn(site.timeZone))} onClick={() => setEndMonday(addDays(endMonday, 7 * WEEKS))}>
              Later weeks
            </Button>
          </Group>
        }
      >
        Attendance figures
      </PageTitle>
      <Text size="sm">
        Weeks of {from} to {endMonday}, per site. De-identified: a count from 1 to 10 is never shown, nor any rate worked out from one, and a week of fewer than
        11 patients shows no figure at all.
      </Text>
      <ErrorNotice error={sites.error} />
      {loaded.map((l) => (l.error ? <ErrorNotice key={l.site.siteId} error={l.error} /> : null))}
      {settled && withWeeks.length === 0 ? (
        <EmptyState title="No attendance recorded in these weeks" action={{ label: "Open today's sessions", to: '/today' }}>
          Figures appear once sessions are recorded (check-ins, absences). Try earlier weeks, or record today&apos;s attendance.
        </EmptyState>
      ) : null}
      {withWeeks.length > 0 ? (
        <>
          {CHARTS.map((chart) => (
            <Stack key={chart.figure} gap={4}>
              <Title order={2} size="h3">
                {chart.title}
              </Title>
              <LineChart
                title={`${chart.title} per week, ${withWeeks.map((l) => l.site.name).join(', ')}; suppressed weeks are gaps`}
                xLabels={mondays.map((m) => m.slice(5))}
                yMax={chart.max}
                yFormat={chart.format}
                series={withWeeks.map((l, i) => ({
                  label: l.site.name,
                  color: COLORS[i % COLORS.length]!,
                  values: mondays.map((m) => cellAt(l, m, chart.figure)?.value ?? null),
                }))}
              />
            </Stack>
          ))}
          <Title order={2} size="h3">
            The figures
          </Title>
          {withWeeks.map((l) => (
            <Stack key={l.site.siteId} gap={4}>
              <Title order={3} size="h4">
                {l.site.name}
              </Title>
              <Table fz="sm" withTableBorder>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Week of</Table.Th>
                    <Table.Th>Patients</Table.Th>
                    <Table.Th>Attendance rate</Table.Th>
                    <Table.Th>Hours per patient</Table.Th>
                    <Table.Th>No-show rate</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {l.data!.weeks.map((w) => (
                    <Table.Tr key={w.isoWeek}>
                      <Table.Td>
                        {w.weekStart} ({w.isoWeek})
                      </Table.Td>
                      <Table.Td>{cellText(w.census, String)}</Table.Td>
                      <Table.Td>{cellText(w.attendanceRate, CHARTS[0]!.format)}</Table.Td>
                      <Table.Td>{cellText(w.hoursPerPatient, CHARTS[1]!.format)}</Table.Td>
                      <Table.Td>{cellText(w.noShowRate, CHARTS[2]!.format)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Stack>
          ))}
        </>
      ) : null}
    </Stack>
  );
}
