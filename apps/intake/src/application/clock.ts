import { Injectable } from '@nestjs/common';

/**
 * The time the waitlist's offers and their expiry are measured by. One injectable source of "now", so a test
 * can move it forward two days and see an offer expire without waiting for it.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
