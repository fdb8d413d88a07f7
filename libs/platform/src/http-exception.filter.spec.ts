import type { ArgumentsHost } from '@nestjs/common';
import type { Logger } from 'pino';
import { QueryFailedError } from 'typeorm';
import { HttpErrorFilter } from './http-exception.filter';

/** A pg DatabaseError as the driver raises it, wrapped by TypeORM, with the statement's values in it. */
function databaseError(code: string, extra: Record<string, unknown> = {}) {
  const driverError = Object.assign(new Error(`value "Jane Roe" broke ${code}`), {
    code,
    severity: 'ERROR',
    detail: 'Key (family_name)=(Roe) already exists.',
    where: 'SQL statement with 1987-04-02',
    ...extra,
  });
  return new QueryFailedError('INSERT INTO intake.patients VALUES ($1, $2)', ['Jane Roe', '1987-04-02'], driverError);
}

function run(exception: unknown) {
  const logged: unknown[] = [];
  const log = { error: (...args: unknown[]) => logged.push(args), warn: (...args: unknown[]) => logged.push(args) } as unknown as Logger;
  const sent: { status?: number; body?: Record<string, unknown>; headers: Record<string, string> } = { headers: {} };
  const response = {
    headersSent: false,
    setHeader: (name: string, value: string) => (sent.headers[name.toLowerCase()] = value),
    status(code: number) {
      sent.status = code;
      return { send: (body: string) => (sent.body = JSON.parse(body) as Record<string, unknown>) };
    },
  };
  const request = { headers: { 'x-request-id': 'req-1' }, originalUrl: '/referrals?siteId=abc' };
  const host = { getType: () => 'http', switchToHttp: () => ({ getResponse: () => response, getRequest: () => request }) } as unknown as ArgumentsHost;
  new HttpErrorFilter(log).catch(exception, host);
  return { ...sent, logged };
}

describe('the error filter answers problem details and maps every database failure class', () => {
  it.each([
    ['22P02', 400, 'request.unstorable-value'], // invalid text representation
    ['22003', 400, 'request.unstorable-value'], // numeric out of range
    ['22008', 400, 'request.unstorable-value'], // datetime field overflow
    ['22021', 400, 'request.unstorable-value'], // NUL / invalid byte sequence
    ['23505', 409, 'request.conflict'], // unique
    ['23P01', 409, 'request.conflict'], // exclusion
    ['23514', 422, 'request.breaks-rule'], // check
    ['23503', 422, 'request.breaks-rule'], // foreign key
    ['40001', 503, 'service.unavailable'], // serialization
    ['40P01', 503, 'service.unavailable'], // deadlock
    ['57P01', 503, 'service.unavailable'], // admin shutdown
    ['08006', 503, 'service.unavailable'], // connection failure
  ])('SQLSTATE %s is a %i (%s), never a 500', (code, status, problemCode) => {
    const { status: sentStatus, body } = run(databaseError(code));
    expect(sentStatus).toBe(status);
    expect(body).toMatchObject({ status, code: problemCode, type: `urn:iop:problem:${problemCode}`, instance: '/referrals', requestId: 'req-1' });
  });

  it('a transient failure says it may be retried, with Retry-After', () => {
    const { body, headers } = run(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    expect(body).toMatchObject({ status: 503, retryable: true });
    expect(headers['retry-after']).toBe('2');
    expect(headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('a defect is a 500 whose log line holds codes only: no message, detail, where, query or parameters of the statement', () => {
    const { status, body, logged } = run(databaseError('XX000'));
    expect(status).toBe(500);
    const text = JSON.stringify(logged) + JSON.stringify(body);
    for (const value of ['Jane', 'Roe', '1987-04-02']) expect(text).not.toContain(value);
  });
});
