import { DomainError } from '@lattice/domain';
import { Prisma } from '../../generated/prisma/client';
import { asTransientDatabaseError, rethrowUniqueViolation } from './db.util';

function knownRequestError(
  code: string,
  meta?: Record<string, unknown>,
): Prisma.PrismaClientKnownRequestError {
  return new Prisma.PrismaClientKnownRequestError('failed', { code, clientVersion: '6.19.0', meta });
}

describe('asTransientDatabaseError', () => {
  it.each(['P2028', 'P2024', 'P2034', 'P2037', 'P1001', 'P1017'])('maps Prisma %s to UNAVAILABLE', (code) => {
    const mapped = asTransientDatabaseError(knownRequestError(code));
    expect(mapped).toBeInstanceOf(DomainError);
    expect(mapped?.code).toBe('UNAVAILABLE');
  });

  it("maps the transaction manager's own P2028 (a plain Error with a code)", () => {
    const error = Object.assign(
      new Error('Transaction API error: Unable to start a transaction in the given time.'),
      {
        code: 'P2028',
      },
    );
    expect(asTransientDatabaseError(error)?.code).toBe('UNAVAILABLE');
  });

  it('maps initialization errors that could not reach the database', () => {
    const error = new Prisma.PrismaClientInitializationError(
      "Can't reach database server",
      '6.19.0',
      'P1001',
    );
    expect(asTransientDatabaseError(error)?.code).toBe('UNAVAILABLE');
  });

  it('maps PostgreSQL overload and deadlock SQLSTATEs, raw or wrapped by the driver adapter', () => {
    const wrapped = knownRequestError('P2010', { driverAdapterError: { cause: { originalCode: '53300' } } });
    expect(asTransientDatabaseError(wrapped)?.code).toBe('UNAVAILABLE');
    const raw = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    expect(asTransientDatabaseError(raw)?.code).toBe('UNAVAILABLE');
  });

  it('maps plain pg failures to reach the server or a pool connection', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(asTransientDatabaseError(refused)?.code).toBe('UNAVAILABLE');
    expect(asTransientDatabaseError(new Error('timeout exceeded when trying to connect'))?.code).toBe(
      'UNAVAILABLE',
    );
    expect(asTransientDatabaseError(new Error('Connection terminated unexpectedly'))?.code).toBe(
      'UNAVAILABLE',
    );
  });

  it('leaves everything else alone', () => {
    expect(asTransientDatabaseError(knownRequestError('P2002'))).toBeUndefined();
    expect(
      asTransientDatabaseError(
        knownRequestError('P2010', { driverAdapterError: { cause: { originalCode: '23505' } } }),
      ),
    ).toBeUndefined();
    expect(asTransientDatabaseError(new Error('boom'))).toBeUndefined();
    expect(asTransientDatabaseError({ code: 'P2028' })).toBeUndefined();
    expect(asTransientDatabaseError(undefined)).toBeUndefined();
  });
});

describe('rethrowUniqueViolation', () => {
  const taken = () => new DomainError('CONFLICT', 'name is taken');

  it('turns a unique violation (P2002) into the given domain error', () => {
    expect(() => rethrowUniqueViolation(taken)(knownRequestError('P2002'))).toThrow(
      expect.objectContaining({ code: 'CONFLICT', message: 'name is taken' }),
    );
  });

  it('rethrows anything else as it is', () => {
    const other = knownRequestError('P2025');
    expect(() => rethrowUniqueViolation(taken)(other)).toThrow(other);
  });
});
