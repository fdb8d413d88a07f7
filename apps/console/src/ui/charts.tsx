/**
 * Small SVG charts, drawn here rather than with a charting library: a few lines and axes, with the figures also in
 * text (a caption or a table next to the chart), so a screen reader user reads the same thing.
 */
import { Text } from '@mantine/core';
import { useId } from 'react';

export interface Series {
  readonly label: string;
  readonly color: string;
  /** One y per x; null where there is no figure (not recorded, or suppressed): the line breaks there. */
  readonly values: readonly (number | null)[];
  readonly dashed?: boolean;
}

const W = 560;
const H = 220;
const PAD = { left: 48, right: 16, top: 12, bottom: 36 };

/** A line chart over labelled x positions (weeks, dates). */
export function LineChart({
  title,
  xLabels,
  series,
  yMax,
  yFormat = (v) => String(v),
  markers = [],
}: {
  title: string;
  xLabels: readonly string[];
  series: readonly Series[];
  yMax?: number;
  yFormat?: (value: number) => string;
  /** Vertical lines at an x position, e.g. an authorisation's end date. */
  markers?: readonly { x: number; label: string; color: string }[];
}) {
  const id = useId();
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const top = yMax ?? Math.max(1, ...all) * 1.1;
  const n = Math.max(1, xLabels.length - 1);
  const x = (i: number) => PAD.left + (i / n) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  const ticks = [0, top / 2, top];
  const every = Math.ceil(xLabels.length / 8);
  return (
    <figure style={{ margin: 0 }}>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" style={{ maxWidth: W }} role="img" aria-labelledby={`${id}-title`}>
        <title id={`${id}-title`}>{title}</title>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} stroke="#ced4da" strokeWidth={1} />
            <text x={PAD.left - 6} y={y(t) + 4} fontSize={11} textAnchor="end" fill="#495057">
              {yFormat(t)}
            </text>
          </g>
        ))}
        {xLabels.map((label, i) =>
          i % every === 0 || i === xLabels.length - 1 ? (
            <text key={label + i} x={x(i)} y={H - PAD.bottom + 16} fontSize={11} textAnchor="middle" fill="#495057">
              {label}
            </text>
          ) : null,
        )}
        {markers.map((m) => (
          <g key={m.label}>
            <line x1={x(m.x)} x2={x(m.x)} y1={PAD.top} y2={H - PAD.bottom} stroke={m.color} strokeDasharray="2 3" />
            <text x={x(m.x)} y={PAD.top + 10} fontSize={11} textAnchor="end" fill={m.color} dx={-4}>
              {m.label}
            </text>
          </g>
        ))}
        {series.map((s) =>
          segments(s.values).map((run, k) => (
            <g key={`${s.label}-${k}`}>
              <polyline
                points={run.map(([i, v]) => `${x(i)},${y(v)}`).join(' ')}
                fill="none"
                stroke={s.color}
                strokeWidth={2}
                strokeDasharray={s.dashed ? '6 4' : undefined}
              />
              {run.map(([i, v]) => (
                <circle key={i} cx={x(i)} cy={y(v)} r={3} fill={s.color} />
              ))}
            </g>
          )),
        )}
      </svg>
      <figcaption>
        {series.map((s) => (
          <Text key={s.label} span size="xs" mr="md">
            <span aria-hidden="true" style={{ color: s.color }}>
              {s.dashed ? '╌╌' : '━━'}{' '}
            </span>
            {s.label}
          </Text>
        ))}
      </figcaption>
    </figure>
  );
}

/** The runs of consecutive figures, as [index, value] pairs. */
function segments(values: readonly (number | null)[]): Array<Array<[number, number]>> {
  const runs: Array<Array<[number, number]>> = [];
  let run: Array<[number, number]> = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (run.length) runs.push(run);
      run = [];
    } else run.push([i, v]);
  });
  if (run.length) runs.push(run);
  return runs;
}
