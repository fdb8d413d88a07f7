import { createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable, UnauthorizedException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Outbox } from '@iop/messaging';
import { ALL_SITES, inScopedTransaction } from '@iop/persistence';
import { DomainError, conflict } from '@iop/platform';
import { notCheckedIn } from './attendance-errors';
import { writeRecord } from './record-attendance';
import { loadSeat } from './seats';

/** A signed request older (or newer) than this is refused: a captured request cannot be replayed later. */
export const SIGNATURE_WINDOW_SECONDS = 5 * 60;

export interface TelehealthEvent {
  readonly eventId: string;
  readonly type: 'participant.joined' | 'participant.left';
  readonly sessionId: string;
  readonly patientId: string;
  readonly occurredAt: string;
}

/** The signature the video platform sends: hex HMAC-SHA256 of `${timestamp}.${body}` under the shared secret. */
export function telehealthSignature(secret: string, timestamp: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/**
 * Checks the webhook's signature and timestamp before anything is read from the body: a wrong or missing signature, or
 * a timestamp outside five minutes of now, is a 401. Compared in constant time.
 */
export function verifyTelehealthSignature(
  headers: { signature?: string | undefined; timestamp?: string | undefined },
  body: Buffer | undefined,
  secret: string | undefined = process.env['TELEHEALTH_WEBHOOK_SECRET'],
  nowSeconds = Math.floor(Date.now() / 1000),
): void {
  if (!secret) throw new UnauthorizedException('telehealth webhooks are not configured (TELEHEALTH_WEBHOOK_SECRET is unset)');
  const { signature, timestamp } = headers;
  if (!signature || !timestamp || !/^\d{1,12}$/.test(timestamp)) throw new UnauthorizedException('x-iop-signature and x-iop-timestamp are required');
  if (Math.abs(nowSeconds - Number(timestamp)) > SIGNATURE_WINDOW_SECONDS)
    throw new UnauthorizedException('the webhook timestamp is outside the 5-minute window');
  const expected = Buffer.from(telehealthSignature(secret, timestamp, body ?? Buffer.alloc(0)), 'hex');
  const given = Buffer.from(signature.replace(/^sha256=/, ''), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new UnauthorizedException('the webhook signature does not match');
}

/**
 * Join and leave events from the video platform. Each join opens an interval, each leave closes the latest open one;
 * the seat's record is recomputed from all its intervals (merged: overlapping reconnects count once). An event id
 * seen before is refused (409), so a replay changes nothing.
 */
@Injectable()
export class TelehealthEvents {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  receive(event: TelehealthEvent) {
    return inScopedTransaction(this.dataSource, ALL_SITES, async (manager) => {
      const seat = await loadSeat(manager, event.sessionId, event.patientId);
      const site = seat.session.site_id;
      const fresh = (await manager.query(
        `INSERT INTO attendance.telehealth_webhook_events (event_id, site_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
        [event.eventId, site],
      )) as unknown[];
      if (fresh.length === 0) throw conflict('telehealth.replayed', `event ${event.eventId} was already received`);
      const at = new Date(event.occurredAt);
      const session = seat.session;
      if (at.getTime() < session.starts_at.getTime() - 60 * 60 * 1000 || at.getTime() > session.ends_at.getTime() + 60 * 60 * 1000) {
        throw new DomainError('attendance.outside-session', 'the event is outside the session window', 422);
      }
      if (event.type === 'participant.joined') {
        await manager.query(
          `INSERT INTO attendance.telehealth_intervals (session_id, patient_id, site_id, joined_at, join_event_id) VALUES ($1, $2, $3, $4, $5)`,
          [event.sessionId, event.patientId, site, at, event.eventId],
        );
      } else {
        const closed = (await manager.query(
          `UPDATE attendance.telehealth_intervals SET left_at = $3, leave_event_id = $4
            WHERE interval_id = (SELECT interval_id FROM attendance.telehealth_intervals
                                  WHERE session_id = $1 AND patient_id = $2 AND left_at IS NULL AND joined_at <= $3 ORDER BY joined_at DESC LIMIT 1)
           RETURNING interval_id`,
          [event.sessionId, event.patientId, at, event.eventId],
        )) as unknown[];
        if (closed.length === 0) throw notCheckedIn(event.patientId);
      }
      const intervals = (await manager.query(
        `SELECT joined_at, left_at FROM attendance.telehealth_intervals WHERE session_id = $1 AND patient_id = $2 ORDER BY joined_at`,
        [event.sessionId, event.patientId],
      )) as { joined_at: Date; left_at: Date | null }[];
      const open = intervals.some((i) => i.left_at === null);
      const lastLeft = intervals.reduce<Date | null>((max, i) => (i.left_at && (!max || i.left_at > max) ? i.left_at : max), null);
      return writeRecord(manager, this.outbox, {
        seat,
        intervals: intervals.map((i) => ({ from: i.joined_at, to: i.left_at })),
        checkInAt: intervals[0]!.joined_at,
        checkOutAt: open ? null : lastLeft,
        source: 'telehealth',
        change: 'telehealth',
        actor: 'telehealth-webhook',
        correlationId: event.eventId,
      });
    });
  }
}
