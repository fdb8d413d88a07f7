import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { DomainError } from '@iop/platform';

export type HolderKind = 'clinician' | 'room' | 'patient';
export type SourceKind = 'session' | 'appointment';

/** One thing a clinician, a room or a patient is held to for [startsAt, endsAt). */
export interface Commitment {
  readonly siteId: string;
  readonly holderKind: HolderKind;
  readonly holderId: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly sourceKind: SourceKind;
  readonly sourceId: string;
}

const EXCLUSION_VIOLATION = '23P01';

/**
 * Holds commitments, or refuses with a 409 naming the commitment already held and its time in the site's zone.
 *
 * Postgres decides (the `commitments_no_overlap` exclusion constraint), so two requests racing for the same slot on
 * two instances cannot both win. The insert runs under a savepoint so that the refusal can still read what it
 * collided with; a collision with another site's commitment is reported without naming it (a site must not learn
 * what a patient does at another clinic).
 */
export async function holdCommitments(manager: EntityManager, commitments: readonly Commitment[], timeZone: string): Promise<void> {
  for (const c of commitments) {
    if (c.endsAt.getTime() <= c.startsAt.getTime()) {
      throw new DomainError('commitment.empty', `a commitment must end after it starts (${c.startsAt.toISOString()} to ${c.endsAt.toISOString()})`, 400);
    }
  }
  if (commitments.length === 0) return;
  await manager.query('SAVEPOINT hold_commitments');
  try {
    await manager.query(
      `INSERT INTO scheduling.commitments (site_id, holder_kind, holder_id, during, source_kind, source_id)
       SELECT c.site_id, c.holder_kind, c.holder_id, tstzrange(c.starts_at, c.ends_at, '[)'), c.source_kind, c.source_id
         FROM jsonb_to_recordset($1::jsonb) AS c(site_id uuid, holder_kind text, holder_id uuid, starts_at timestamptz, ends_at timestamptz, source_kind text, source_id uuid)`,
      [JSON.stringify(commitments.map(toRow))],
    );
  } catch (error) {
    if ((error as { code?: string }).code !== EXCLUSION_VIOLATION) throw error;
    await manager.query('ROLLBACK TO SAVEPOINT hold_commitments');
    throw await describeCollision(manager, commitments, timeZone);
  }
  await manager.query('RELEASE SAVEPOINT hold_commitments');
}

/** Releases whatever a session or an appointment holds, for everyone or for one holder (a patient leaving a group). */
export async function releaseCommitments(
  manager: EntityManager,
  sourceKind: SourceKind,
  sourceId: string,
  holder?: { kind: HolderKind; id: string },
): Promise<void> {
  await manager.query(
    `DELETE FROM scheduling.commitments WHERE source_kind = $1 AND source_id = $2 AND ($3::text IS NULL OR (holder_kind = $3 AND holder_id = $4::uuid))`,
    [sourceKind, sourceId, holder?.kind ?? null, holder?.id ?? null],
  );
}

interface CollisionRow {
  holder_kind: HolderKind;
  holder_id: string;
  source_kind: SourceKind;
  source_id: string;
  starts_at: Date;
  ends_at: Date;
}

async function describeCollision(manager: EntityManager, commitments: readonly Commitment[], timeZone: string): Promise<DomainError> {
  for (const c of commitments) {
    const [hit] = (await manager.query(
      `SELECT holder_kind, holder_id, source_kind, source_id, lower(during) AS starts_at, upper(during) AS ends_at
         FROM scheduling.commitments
        WHERE holder_kind = $1 AND holder_id = $2 AND during && tstzrange($3, $4, '[)')
        ORDER BY lower(during) LIMIT 1`,
      [c.holderKind, c.holderId, c.startsAt, c.endsAt],
    )) as CollisionRow[];
    if (hit) {
      const when = `${local(hit.starts_at, timeZone)}–${DateTime.fromJSDate(hit.ends_at).setZone(timeZone).toFormat('HH:mm')} (${timeZone})`;
      return new DomainError(
        `schedule.${hit.holder_kind}-busy`,
        `${hit.holder_kind} ${hit.holder_id} is already booked for ${hit.source_kind} ${hit.source_id} on ${when}`,
        409,
        { holderKind: hit.holder_kind, holderId: hit.holder_id, sourceKind: hit.source_kind, sourceId: hit.source_id, startsAt: hit.starts_at.toISOString() },
      );
    }
  }
  for (const [i, a] of commitments.entries()) {
    const b = commitments
      .slice(i + 1)
      .find((o) => o.holderKind === a.holderKind && o.holderId === a.holderId && o.startsAt < a.endsAt && a.startsAt < o.endsAt);
    if (b) {
      return new DomainError(
        `schedule.${a.holderKind}-busy`,
        `the request would book ${a.holderKind} ${a.holderId} twice at once: ${local(a.startsAt, timeZone)} and ${local(b.startsAt, timeZone)} (${timeZone}) overlap`,
        409,
      );
    }
  }
  // The constraint saw a row this site cannot read: the holder (a patient) is busy at another clinic then. Clinicians
  // and rooms belong to one site, so only a patient can collide out of sight.
  const c = commitments.find((o) => o.holderKind === 'patient') ?? commitments[0]!;
  return new DomainError(
    `schedule.${c.holderKind}-busy`,
    `${c.holderKind} ${c.holderId} already has a commitment overlapping ${local(c.startsAt, timeZone)} (${timeZone}) elsewhere in the network`,
    409,
  );
}

function local(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at).setZone(timeZone).toFormat('ccc yyyy-LL-dd HH:mm');
}

function toRow(c: Commitment) {
  return {
    site_id: c.siteId,
    holder_kind: c.holderKind,
    holder_id: c.holderId,
    starts_at: c.startsAt.toISOString(),
    ends_at: c.endsAt.toISOString(),
    source_kind: c.sourceKind,
    source_id: c.sourceId,
  };
}
