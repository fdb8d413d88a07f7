import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { SessionScheduled } from '@iop/contracts';
import type { Outbox } from '@iop/messaging';
import { DomainError } from '@iop/platform';
import { blocksBetween } from '../domain/recurrence';
import { holdCommitments } from '../infrastructure/commitments';
import { bookPlacedPatientsInto } from './seats';
import { staffCommitments } from './session-commitments';
import { SESSION_COLUMNS, localDateOf, sessionPayload, todayIn, toSession, type Session } from './session-repository';
import type { Track } from './track-repository';
import { trackRepository } from './track-repository';

/** How far ahead sessions exist: `SCHEDULING_HORIZON_WEEKS`, 12 by default. */
export function horizonWeeks(): number {
  const weeks = Number(process.env['SCHEDULING_HORIZON_WEEKS']);
  return Number.isInteger(weeks) && weeks > 0 && weeks <= 104 ? weeks : 12;
}

export interface MaterialiseOptions {
  readonly timeZone: string;
  /**
   * `refuse`: a clash with a commitment refuses the whole request (409 naming it), as when a track is defined.
   * `skip`: the clashing occurrence is left out and tried again on the next pass, as the horizon job does, so one
   * busy clinician does not stop a whole site's calendar.
   */
  readonly onClash: 'refuse' | 'skip';
  readonly correlationId?: string;
  readonly log?: Logger;
  readonly now?: Date;
}

/**
 * Puts a track's sessions on the calendar from today (or the track's start) to the horizon, skipping closed days and
 * occurrences that exist already: (track_id, position, series_date) is unique, so any number of passes on any number
 * of instances create each occurrence once. Each new session holds its leader's, co-leader's and room's time and
 * raises `scheduling.session-scheduled`; patients placed in the track get seats in them (`scheduling.seats-booked`).
 * Returns the sessions created.
 */
export async function materialise(manager: EntityManager, outbox: Outbox, track: Track, options: MaterialiseOptions): Promise<Session[]> {
  const now = options.now ?? new Date();
  const today = todayIn(options.timeZone, now);
  const from = track.startsOn > today ? track.startsOn : today;
  const until = DateTime.fromISO(today).plus({ weeks: horizonWeeks() }).toISODate()!;
  if (from > until || (track.endsOn && track.endsOn < from)) return [];

  await holdSiteCalendar(manager, track.siteId, 'shared');
  const closed = new Set(
    (
      (await manager.query(`SELECT closed_on::text AS d FROM scheduling.closures WHERE site_id = $1 AND closed_on BETWEEN $2::date AND $3::date`, [
        track.siteId,
        from,
        until,
      ])) as Array<{ d: string }>
    ).map((r) => r.d),
  );
  const blocks = blocksBetween(
    { rule: track.recurrence, startsOn: track.startsOn, endsOn: track.endsOn, blockStart: track.blockStart, timeZone: options.timeZone },
    from,
    until,
  );
  const rows = blocks
    .filter((b) => !closed.has(b.localDate))
    .flatMap((block) =>
      track.sessions.map((s) => {
        const startsAt = new Date(block.startsAt.getTime() + s.offsetMinutes * 60_000);
        return {
          session_id: crypto.randomUUID(),
          site_id: track.siteId,
          track_id: track.trackId,
          position: s.position,
          series_date: block.localDate,
          local_date: localDateOf(startsAt, options.timeZone),
          starts_at: startsAt.toISOString(),
          ends_at: new Date(startsAt.getTime() + s.durationMinutes * 60_000).toISOString(),
          topic: s.topic,
          modality: s.modality,
          leader_id: s.leaderId,
          co_leader_id: s.coLeaderId,
          room_id: s.roomId,
          capacity: s.capacity,
          delivery: s.delivery,
        };
      }),
    )
    .filter((r) => new Date(r.starts_at) > now);
  if (rows.length === 0) {
    await trackRepository.markMaterialised(manager, track.trackId, until);
    return [];
  }

  const inserted = (
    (await manager.query(
      `WITH created AS (
       INSERT INTO scheduling.sessions (session_id, site_id, track_id, position, series_date, local_date, starts_at, ends_at, topic, modality,
                                        leader_id, co_leader_id, room_id, capacity, delivery)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(session_id uuid, site_id uuid, track_id uuid, position int, series_date date, local_date date,
              starts_at timestamptz, ends_at timestamptz, topic text, modality text, leader_id uuid, co_leader_id uuid, room_id uuid, capacity int, delivery text)
       ON CONFLICT (track_id, position, series_date) DO NOTHING
       RETURNING *)
     SELECT ${SESSION_COLUMNS} FROM created s JOIN scheduling.tracks t USING (track_id) ORDER BY s.starts_at, s.session_id`,
      [JSON.stringify(rows)],
    )) as Parameters<typeof toSession>[0][]
  ).map(toSession);

  let held = inserted;
  if (options.onClash === 'refuse') {
    await holdCommitments(manager, inserted.flatMap(staffCommitments), options.timeZone);
  } else {
    held = await holdEachOrSkip(manager, inserted, options);
  }
  await trackRepository.markMaterialised(manager, track.trackId, until);
  await outbox.addMany(manager, SessionScheduled, held.map(sessionPayload), options.correlationId ? { correlationId: options.correlationId } : {});
  // Patients already placed in the track get their seats in the new sessions (after the sessions' own events).
  await bookPlacedPatientsInto(
    manager,
    held.map((s) => s.sessionId),
    outbox,
    options.correlationId,
  );
  return held;
}

/**
 * Orders closures against materialisation at one site: a closure takes the site's calendar exclusively, materialising
 * takes it shared, so a pass that started before a closure committed cannot put sessions on the day it closes (it
 * waits, then reads the closure), and two passes do not wait for each other.
 */
export async function holdSiteCalendar(manager: EntityManager, siteId: string, mode: 'shared' | 'exclusive'): Promise<void> {
  await manager.query(`SELECT ${mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock'}(hashtext('scheduling.calendar'), hashtext($1))`, [
    siteId,
  ]);
}

/** Holds all at once when nothing clashes (the usual day); otherwise one by one, leaving out what clashes. */
async function holdEachOrSkip(manager: EntityManager, sessions: Session[], options: MaterialiseOptions): Promise<Session[]> {
  try {
    await holdCommitments(manager, sessions.flatMap(staffCommitments), options.timeZone);
    return sessions;
  } catch (error) {
    if (!(error instanceof DomainError) || error.status !== 409) throw error;
  }
  const held: Session[] = [];
  for (const session of sessions) {
    try {
      await holdCommitments(manager, staffCommitments(session), options.timeZone);
      held.push(session);
    } catch (error) {
      if (!(error instanceof DomainError) || error.status !== 409) throw error;
      await manager.query(`DELETE FROM scheduling.sessions WHERE session_id = $1`, [session.sessionId]);
      options.log?.warn(
        { trackId: session.trackId, seriesDate: session.seriesDate, position: session.position, reason: error.message },
        'session left out: a holder is busy',
      );
    }
  }
  return held;
}
