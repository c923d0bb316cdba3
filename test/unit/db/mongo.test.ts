import { describe, expect, it } from 'vitest';
import { describeMongoUri, isDuplicateKeyError, toDatabaseError } from '../../../src/db/mongo.js';
import { AppError } from '../../../src/errors/catalog.js';

function namedError(name: string, message = 'failed'): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe('toDatabaseError', () => {
  it.each([
    'MongooseServerSelectionError',
    'MongoServerSelectionError',
    'MongoNetworkError',
    'MongoNetworkTimeoutError',
    'MongoNotConnectedError',
    'MongoTopologyClosedError',
  ])('%s is unavailable', (name) => {
    const cause = namedError(name);

    const error = toDatabaseError(cause, 'read registration');

    expect(error.code).toBe('DATABASE_UNAVAILABLE');
    expect(error.cause).toBe(cause);
    expect(error.message).toContain('read registration');
  });

  it('bare socket reset is unavailable', () => {
    const reset = Object.assign(new Error('write ECONNRESET'), { code: 'ECONNRESET' });

    expect(toDatabaseError(reset, 'store').code).toBe('DATABASE_UNAVAILABLE');
  });

  it('socket error as cause is unavailable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

    const error = toDatabaseError(new Error('wrapped', { cause: refused }), 'store');

    expect(error.code).toBe('DATABASE_UNAVAILABLE');
  });

  it('server error is failed', () => {
    const rejected = Object.assign(namedError('MongoServerError', 'bad update'), { code: 2 });

    expect(toDatabaseError(rejected, 'store').code).toBe('DATABASE_FAILED');
  });

  it('AppError passes through', () => {
    const original = new AppError('DATABASE_UNAVAILABLE');

    expect(toDatabaseError(original, 'store')).toBe(original);
  });
});

describe('describeMongoUri', () => {
  it('drops credentials and options', () => {
    const described = describeMongoUri('mongodb://sspr:S3cret%21@db1:27017,db2/sspr?tls=true');

    expect(described).toBe('mongodb://db1:27017,db2/sspr');
    expect(described).not.toContain('S3cret');
  });

  it('keeps URI without credentials', () => {
    expect(describeMongoUri('mongodb+srv://cluster.example.org/sspr')).toBe(
      'mongodb+srv://cluster.example.org/sspr',
    );
  });
});

describe('isDuplicateKeyError', () => {
  it('matches code 11000 only', () => {
    expect(isDuplicateKeyError({ code: 11000 })).toBe(true);
    expect(isDuplicateKeyError({ code: 11001 })).toBe(false);
    expect(isDuplicateKeyError(undefined)).toBe(false);
  });
});
