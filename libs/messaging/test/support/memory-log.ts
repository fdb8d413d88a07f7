import type { Log } from '../../src';

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: object;
  readonly message: string;
}

/**
 * Keeps log lines in memory: fault tests make kafkajs and the relay log a lot, and a test can
 * assert on what was logged (e.g. that the relay saw the outage) instead of printing it.
 */
export class MemoryLog implements Log {
  readonly entries: LogEntry[] = [];

  debug(fields: object, message = ''): void {
    this.entries.push({ level: 'debug', fields, message });
  }
  info(fields: object, message = ''): void {
    this.entries.push({ level: 'info', fields, message });
  }
  warn(fields: object, message = ''): void {
    this.entries.push({ level: 'warn', fields, message });
  }
  error(fields: object, message = ''): void {
    this.entries.push({ level: 'error', fields, message });
  }

  count(message: string): number {
    return this.entries.filter((e) => e.message === message).length;
  }
}
