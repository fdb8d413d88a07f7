import type { EntityManager } from 'typeorm';

export type Delivery = 'in-person' | 'telehealth' | 'hybrid';

export interface TrackSession {
  readonly position: number;
  readonly topic: string;
  readonly modality: string;
  readonly offsetMinutes: number;
  readonly durationMinutes: number;
  readonly leaderId: string;
  readonly coLeaderId: string | null;
  readonly roomId: string;
  readonly capacity: number;
  readonly delivery: Delivery;
}

export interface Track {
  readonly trackId: string;
  readonly siteId: string;
  readonly programId: string;
  readonly name: string;
  readonly recurrence: string;
  readonly startsOn: string;
  readonly endsOn: string | null;
  readonly blockStart: string;
  readonly enrolment: 'open' | 'closed';
  readonly cohortWeeks: number | null;
  readonly weeklyMinutes: number;
  readonly materialisedTo: string | null;
  readonly active: boolean;
  readonly revision: number;
  readonly sessions: readonly TrackSession[];
}

interface TrackRow {
  track_id: string;
  site_id: string;
  program_id: string;
  name: string;
  recurrence: string;
  starts_on: string;
  ends_on: string | null;
  block_start: string;
  enrolment: 'open' | 'closed';
  cohort_weeks: number | null;
  weekly_minutes: number;
  materialised_to: string | null;
  active: boolean;
  revision: number;
}
interface TrackSessionRow {
  track_id: string;
  position: number;
  topic: string;
  modality: string;
  offset_minutes: number;
  duration_minutes: number;
  leader_id: string;
  co_leader_id: string | null;
  room_id: string;
  capacity: number;
  delivery: Delivery;
}

// Dates and times as text: a date is a calendar date, not an instant (no zone must touch it).
const TRACK_COLUMNS = `track_id, site_id, program_id, name, recurrence, starts_on::text AS starts_on, ends_on::text AS ends_on,
  to_char(block_start, 'HH24:MI') AS block_start, enrolment, cohort_weeks, weekly_minutes, materialised_to::text AS materialised_to, active, revision`;

async function withSessions(manager: EntityManager, rows: TrackRow[]): Promise<Track[]> {
  if (rows.length === 0) return [];
  const sessions = (await manager.query(`SELECT * FROM scheduling.track_sessions WHERE track_id = ANY($1::uuid[]) ORDER BY track_id, position`, [
    rows.map((r) => r.track_id),
  ])) as TrackSessionRow[];
  return rows.map((r) => ({
    trackId: r.track_id,
    siteId: r.site_id,
    programId: r.program_id,
    name: r.name,
    recurrence: r.recurrence,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    blockStart: r.block_start,
    enrolment: r.enrolment,
    cohortWeeks: r.cohort_weeks,
    weeklyMinutes: r.weekly_minutes,
    materialisedTo: r.materialised_to,
    active: r.active,
    revision: r.revision,
    sessions: sessions
      .filter((s) => s.track_id === r.track_id)
      .map((s) => ({
        position: s.position,
        topic: s.topic,
        modality: s.modality,
        offsetMinutes: s.offset_minutes,
        durationMinutes: s.duration_minutes,
        leaderId: s.leader_id,
        coLeaderId: s.co_leader_id,
        roomId: s.room_id,
        capacity: s.capacity,
        delivery: s.delivery,
      })),
  }));
}

export const trackRepository = {
  async find(manager: EntityManager, trackId: string, lock = false): Promise<Track | null> {
    const rows = (await manager.query(`SELECT ${TRACK_COLUMNS} FROM scheduling.tracks WHERE track_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [
      trackId,
    ])) as TrackRow[];
    return (await withSessions(manager, rows))[0] ?? null;
  },
  async list(manager: EntityManager, siteId: string): Promise<Track[]> {
    const rows = (await manager.query(`SELECT ${TRACK_COLUMNS} FROM scheduling.tracks WHERE site_id = $1 ORDER BY lower(name), track_id`, [
      siteId,
    ])) as TrackRow[];
    return withSessions(manager, rows);
  },
  /** Active tracks whose series has not ended before `today`: what the horizon job extends. */
  async activeIds(manager: EntityManager, today: string): Promise<string[]> {
    const rows = (await manager.query(`SELECT track_id FROM scheduling.tracks WHERE active AND (ends_on IS NULL OR ends_on >= $1::date) ORDER BY track_id`, [
      today,
    ])) as Array<{ track_id: string }>;
    return rows.map((r) => r.track_id);
  },
  async insert(manager: EntityManager, t: Track): Promise<void> {
    await manager.query(
      `INSERT INTO scheduling.tracks (track_id, site_id, program_id, name, recurrence, starts_on, ends_on, block_start, enrolment, cohort_weeks, weekly_minutes, revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [t.trackId, t.siteId, t.programId, t.name, t.recurrence, t.startsOn, t.endsOn, t.blockStart, t.enrolment, t.cohortWeeks, t.weeklyMinutes, t.revision],
    );
    await manager.query(
      `INSERT INTO scheduling.track_sessions (track_id, position, site_id, topic, modality, offset_minutes, duration_minutes, leader_id, co_leader_id, room_id, capacity, delivery)
       SELECT $1, s.position, $2, s.topic, s.modality, s.offset_minutes, s.duration_minutes, s.leader_id, s.co_leader_id, s.room_id, s.capacity, s.delivery
         FROM jsonb_to_recordset($3::jsonb) AS s(position int, topic text, modality text, offset_minutes int, duration_minutes int, leader_id uuid,
                                                co_leader_id uuid, room_id uuid, capacity int, delivery text)`,
      [
        t.trackId,
        t.siteId,
        JSON.stringify(
          t.sessions.map((s) => ({
            position: s.position,
            topic: s.topic,
            modality: s.modality,
            offset_minutes: s.offsetMinutes,
            duration_minutes: s.durationMinutes,
            leader_id: s.leaderId,
            co_leader_id: s.coLeaderId,
            room_id: s.roomId,
            capacity: s.capacity,
            delivery: s.delivery,
          })),
        ),
      ],
    );
  },
  async update(manager: EntityManager, t: Track): Promise<void> {
    await manager.query(`UPDATE scheduling.tracks SET name = $2, ends_on = $3, revision = $4, updated_at = now() WHERE track_id = $1`, [
      t.trackId,
      t.name,
      t.endsOn,
      t.revision,
    ]);
    for (const s of t.sessions) {
      await manager.query(`UPDATE scheduling.track_sessions SET leader_id = $3, co_leader_id = $4, room_id = $5 WHERE track_id = $1 AND position = $2`, [
        t.trackId,
        s.position,
        s.leaderId,
        s.coLeaderId,
        s.roomId,
      ]);
    }
  },
  async markMaterialised(manager: EntityManager, trackId: string, until: string): Promise<void> {
    await manager.query(`UPDATE scheduling.tracks SET materialised_to = GREATEST(materialised_to, $2::date) WHERE track_id = $1`, [trackId, until]);
  },
};
