import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';
import { KafkaJSConnectionError, KafkaJSError, KafkaJSNumberOfRetriesExceeded, type KafkaJSErrorMetadata } from 'kafkajs';
import { ZodError } from 'zod';
import { classifyFailure, TransientEventError } from './error-classification';
import { InvalidEventPayloadError, PermanentEventError } from './errors';

/** An error as pg raises it for a server ErrorResponse, wrapped by TypeORM as a repository call sees it. */
function pgError(code: string, message: string): QueryFailedError {
  const driverError = new DatabaseError(message, message.length, 'error');
  driverError.code = code;
  driverError.severity = code.startsWith('57P') ? 'FATAL' : 'ERROR';
  return new QueryFailedError('INSERT INTO x.effects ...', [], driverError);
}

/** As Node raises a refused or reset socket. */
function systemError(code: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`connect ${code} 127.0.0.1:5432`);
  error.code = code;
  error.syscall = 'connect';
  return error;
}

describe('classifyFailure', () => {
  it.each([
    ['57P01', 'terminating connection due to administrator command'],
    ['57P02', 'terminating connection due to crash of another server process'],
    ['57P03', 'the database system is starting up'],
    ['40001', 'could not serialize access due to concurrent update'],
    ['40P01', 'deadlock detected'],
    ['55P03', 'could not obtain lock on row in relation "effects"'],
    ['53300', 'sorry, too many clients already'],
    ['08006', 'connection failure'],
    ['08001', 'could not connect to server'],
    ['08P01', 'protocol violation'],
    ['57014', 'canceling statement due to statement timeout'],
    ['28000', 'role "iop_intake" is not permitted to log in'],
  ])('Postgres %s (%s) is transient', (code, message) => {
    expect(classifyFailure(pgError(code, message))).toMatchObject({ kind: 'transient' });
    // pg's own error, before TypeORM wraps it (a raw pool query, the relay's session).
    expect(classifyFailure((pgError(code, message) as QueryFailedError<DatabaseError>).driverError)).toMatchObject({ kind: 'transient' });
  });

  it.each([
    ['23505', 'duplicate key value violates unique constraint "sites_pkey"'],
    ['23503', 'insert or update on table "enrolments" violates foreign key constraint'],
    ['23502', 'null value in column "key" of relation "effects" violates not-null constraint'],
    ['23514', 'new row for relation "site_directory" violates check constraint'],
    ['22P02', 'invalid input syntax for type uuid: "last-tuesday"'],
    ['22012', 'division by zero'],
    ['22001', 'value too long for type character varying(40)'],
  ])('Postgres %s (%s) is permanent', (code, message) => {
    expect(classifyFailure(pgError(code, message))).toMatchObject({ kind: 'permanent', why: expect.stringContaining(code) });
  });

  it.each([
    ['42P01', 'relation "intake.consents" does not exist'],
    ['42501', 'permission denied for table consents'],
  ])('Postgres %s (%s), a deployment or a grant an operator fixes, is unknown and so waits', (code, message) => {
    expect(classifyFailure(pgError(code, message))).toMatchObject({ kind: 'unknown' });
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'])('a socket error %s is transient', (code) => {
    expect(classifyFailure(systemError(code))).toMatchObject({ kind: 'transient', why: code });
  });

  it.each([
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error and is not queryable',
    'The client is closed',
  ])('"%s" (pg, pg-pool, redis; no code) is transient', (message) => {
    expect(classifyFailure(new Error(message))).toMatchObject({ kind: 'transient' });
  });

  it('a broker that cannot be reached is transient, also once kafkajs has given up retrying', () => {
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:39092');
    expect(classifyFailure(refused)).toMatchObject({ kind: 'transient' });
    expect(classifyFailure(new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 5, retryTime: 2000 }))).toMatchObject({ kind: 'transient' });
    expect(classifyFailure(new KafkaJSError('There is no leader for this topic-partition', { retriable: true }))).toMatchObject({ kind: 'transient' });
  });

  it('a non-retriable kafkajs error is classified by what caused it, else unknown', () => {
    const reset = systemError('ECONNRESET');
    expect(classifyFailure(new KafkaJSError(reset, { retriable: false, cause: reset } as KafkaJSErrorMetadata))).toMatchObject({ kind: 'transient' });
    expect(classifyFailure(new KafkaJSError('something odd', { retriable: false }))).toMatchObject({ kind: 'unknown' });
  });

  it('what the handler or the consumer declares permanent is permanent', () => {
    expect(classifyFailure(new PermanentEventError('consent for an unknown patient'))).toMatchObject({ kind: 'permanent' });
    expect(classifyFailure(new InvalidEventPayloadError('intake.consent-revoked', 'patientId: required'))).toMatchObject({ kind: 'permanent' });
    expect(classifyFailure(new ZodError([]))).toMatchObject({ kind: 'permanent' });
  });

  it('a bug (TypeError) fails the same way every time: permanent', () => {
    expect(classifyFailure(new TypeError("Cannot read properties of undefined (reading 'siteId')"))).toMatchObject({ kind: 'permanent' });
  });

  it('what a handler declares transient is transient, whatever it wraps', () => {
    expect(classifyFailure(new TransientEventError('clearinghouse answered 503', { cause: new TypeError('x') }))).toMatchObject({ kind: 'transient' });
  });

  it('a wrapped cause decides: an error whose cause is a terminated connection is transient', () => {
    expect(classifyFailure(new Error('could not record the consent', { cause: pgError('57P01', 'terminating connection') }))).toMatchObject({
      kind: 'transient',
    });
  });

  it('a plain error with nothing to go on is unknown', () => {
    expect(classifyFailure(new Error('downstream unavailable'))).toEqual({ kind: 'unknown', why: 'Error' });
    expect(classifyFailure('a string')).toEqual({ kind: 'unknown', why: 'string' });
  });
});
