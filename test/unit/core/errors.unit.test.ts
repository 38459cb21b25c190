import { describe, expect, it } from 'vitest';
import { CommandInvalid, isStreamfoldError, StreamfoldError, VersionConflict } from '../../../src/core/index.ts';
import { UsageError } from '../../../src/cli/usageError.ts';
import { CommandAlreadyProcessed, EventLogError } from '../../../src/eventlog/errors.ts';
import { TimedOut } from '../../../src/gateway/deadline.ts';
import { InvalidMessage, MessagingError, PoisonMessage } from '../../../src/messaging/errors.ts';
import { ProjectionVersionError } from '../../../src/projection/errors.ts';
import { StackError } from '../../../src/stack/errors.ts';
import { DecisionFailed } from '../../../src/worker/commandFailures.ts';

describe('one StreamfoldError base', () => {
  const cause = new Error('underneath');
  const thrown: [Error, string, boolean][] = [
    [new CommandInvalid(['x: missing']), 'COMMAND_INVALID', false],
    [new VersionConflict('6f0c1a52-3d0e-4e8e-9a57-2f3bde0c7d11', 3n), 'VERSION_CONFLICT', true],
    [new CommandAlreadyProcessed('a command of this chunk was processed concurrently'), 'COMMAND_ALREADY_PROCESSED', true],
    [new EventLogError('MIGRATION_FAILED', 'Migration 001 failed', false, { cause }), 'MIGRATION_FAILED', false],
    [new MessagingError('REGISTRY_UNAVAILABLE', 'no registry', true), 'REGISTRY_UNAVAILABLE', true],
    [new PoisonMessage('NOT_WIRE_FORMAT', 'not Avro'), 'NOT_WIRE_FORMAT', false],
    [new InvalidMessage('Increment', ['by: not an int']), 'INVALID_MESSAGE', false],
    [new StackError('PORT_TAKEN', 'port 9092 is taken'), 'PORT_TAKEN', false],
    [new ProjectionVersionError('NOT_VERIFIED', 'verify first'), 'NOT_VERIFIED', false],
    [new ProjectionVersionError('LAGGING', 'still catching up'), 'LAGGING', true],
    [new DecisionFailed('the decider threw', { cause }), 'DECISION_FAILED', false],
    [new TimedOut('Kafka did not answer within 5000 ms'), 'TIMED_OUT', true],
    [new UsageError('--at yesterday is neither a version nor a time'), 'USAGE', false],
  ];

  it.each(thrown.map(([error, code, retriable]) => ({ name: error.name, error, code, retriable })))('$name is one, with code $code', ({ error, code, retriable }) => {
    expect(error).toBeInstanceOf(StreamfoldError);
    expect(isStreamfoldError(error)).toBe(true);
    expect(error).toMatchObject({ code, retriable });
    expect(error.message).not.toBe('');
  });

  it('keeps its cause, and a plain Error is not one', () => {
    expect(new DecisionFailed('the decider threw', { cause }).cause).toBe(cause);
    expect(isStreamfoldError(new Error('plain'))).toBe(false);
    expect(isStreamfoldError({ code: 'USAGE', message: 'look-alike' })).toBe(false);
  });
});
