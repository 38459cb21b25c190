import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config/settings.ts';
import { isStreamfoldError } from '../../src/core/index.ts';
import { readStackSettings } from '../../src/stack/settings.ts';

describe('readSettings', () => {
  it('has the documented defaults, and none of the local stack\'s', () => {
    const s = readSettings({});
    expect(s).toMatchObject({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/streamfold',
      kafkaBrokers: ['127.0.0.1:9092'],
      registryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
      startTimeoutMs: 120_000,
      kafkaSsl: false,
      kafkaSasl: undefined,
    });
    expect(s).not.toHaveProperty('stateDir');
    expect(s).not.toHaveProperty('kafkaPort');
  });

  it('points the clients at the ports the local stack listens on', () => {
    expect(readSettings({ STREAMFOLD_KAFKA_PORT: '19092', STREAMFOLD_REGISTRY_PORT: '18081' })).toMatchObject({
      kafkaBrokers: ['127.0.0.1:19092'],
      registryUrl: 'http://127.0.0.1:18081/apis/ccompat/v7',
    });
  });

  it('says which variable is wrong and how to fix it, as a CONFIGURATION error', () => {
    expect(() => readSettings({ STREAMFOLD_KAFKA_PORT: 'ninety' })).toThrow('STREAMFOLD_KAFKA_PORT=ninety is not a positive integer; unset it to use 9092.');
    expect(() => readSettings({ KAFKA_SASL_MECHANISM: 'kerberos' })).toThrow(/not one of plain, scram-sha-256, scram-sha-512/);
    expect(() => readSettings({ KAFKA_SASL_MECHANISM: 'plain' })).toThrow(/KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD must be too/);
    try {
      readSettings({ STREAMFOLD_STALL_MS: '-1' });
      expect.unreachable();
    } catch (error) {
      expect(isStreamfoldError(error) && error.code).toBe('CONFIGURATION');
    }
  });

  it('takes the consume loop and the fetch minimum from the environment, refusing what they cannot be', () => {
    expect(readSettings({})).toMatchObject({ consumeLoop: 'sequential', fetchMinBytes: 1 });
    expect(readSettings({ STREAMFOLD_CONSUME_LOOP: 'pipelined', STREAMFOLD_FETCH_MIN_BYTES: '65536' })).toMatchObject({ consumeLoop: 'pipelined', fetchMinBytes: 65536 });
    expect(() => readSettings({ STREAMFOLD_CONSUME_LOOP: 'Pipelined' })).toThrow('STREAMFOLD_CONSUME_LOOP=Pipelined is not one of pipelined, sequential.');
    expect(() => readSettings({ STREAMFOLD_FETCH_MIN_BYTES: '0' })).toThrow('STREAMFOLD_FETCH_MIN_BYTES=0 is not a positive integer; unset it to use 1.');
  });

  it('takes the Kafka client from the environment: kafkajs unless told otherwise, and nothing else', () => {
    expect(readSettings({}).kafkaClient).toBe('kafkajs');
    expect(readSettings({ STREAMFOLD_KAFKA_CLIENT: 'platformatic' }).kafkaClient).toBe('platformatic');
    expect(() => readSettings({ STREAMFOLD_KAFKA_CLIENT: 'rdkafka' })).toThrow('STREAMFOLD_KAFKA_CLIENT=rdkafka is not one of kafkajs, platformatic.');
  });

  it('passes SASL and TLS through', () => {
    const s = readSettings({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'app', KAFKA_SASL_PASSWORD: 's3cret' });
    expect(s.kafkaSsl).toBe(true);
    expect(s.kafkaSasl).toEqual({ mechanism: 'scram-sha-512', username: 'app', password: 's3cret' });
  });
});

describe('readStackSettings', () => {
  it('adds the local stack\'s defaults to the runtime\'s', () => {
    expect(readStackSettings({}, '/app')).toMatchObject({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/streamfold',
      kafkaPort: 9092,
      kafkaControllerPort: 9093,
      registryPort: 8081,
      cacheDir: '/app/.streamfold/cache',
      stateDir: '/app/.streamfold/state',
    });
  });
});
