import { describeSafely, safeError } from './safe-error';

describe('errors reach logs by allow-list', () => {
  const pgError = Object.assign(new Error('invalid input syntax for type date: "Jane Roe 555-0100"'), {
    name: 'error',
    code: '22007',
    severity: 'ERROR',
    detail: 'member id W123456789',
    where: 'PL/pgSQL function with 1987-04-02',
    routine: 'DateTimeParseError',
  });
  const wrapped = Object.assign(new Error(pgError.message), { name: 'QueryFailedError', driverError: pgError, query: 'SELECT $1', parameters: ['Jane Roe'] });

  it('keeps the codes of a database error and none of its text', () => {
    const text = JSON.stringify(safeError(wrapped)) + describeSafely(wrapped);
    expect(safeError(wrapped)).toMatchObject({ type: 'QueryFailedError', code: '22007', routine: 'DateTimeParseError' });
    for (const value of ['Jane', '555-0100', 'W123456789', '1987-04-02']) expect(text).not.toContain(value);
  });

  it('keeps our own errors’ messages, which name ids and fields, and their causes', () => {
    const error = new Error('outbox row 42 refused by the broker', { cause: wrapped });
    const safe = safeError(error);
    expect(safe.message).toBe('outbox row 42 refused by the broker');
    expect(safe.cause).toMatchObject({ code: '22007' });
    expect(JSON.stringify(safe)).not.toContain('Jane');
  });
});
