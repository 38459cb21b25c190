import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config/settings.ts';

describe('readSettings', () => {
  it('has the documented defaults', () => {
    const s = readSettings({}, '/app');
    expect(s).toMatchObject({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/streamfold',
      kafkaBrokers: ['127.0.0.1:9092'],
      kafkaControllerPort: 9093,
      registryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
      cacheDir: '/app/.streamfold/cache',
      stateDir: '/app/.streamfold/state',
      kafkaSsl: false,
      kafkaSasl: undefined,
    });
  });

  it('says which variable is wrong and how to fix it', () => {
    expect(() => readSettings({ STREAMFOLD_KAFKA_PORT: 'ninety' })).toThrow('STREAMFOLD_KAFKA_PORT=ninety is not a positive integer; unset it to use 9092.');
    expect(() => readSettings({ KAFKA_SASL_MECHANISM: 'kerberos' })).toThrow(/not one of plain, scram-sha-256, scram-sha-512/);
    expect(() => readSettings({ KAFKA_SASL_MECHANISM: 'plain' })).toThrow(/KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD must be too/);
  });

  it('passes SASL and TLS through', () => {
    const s = readSettings({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'app', KAFKA_SASL_PASSWORD: 's3cret' });
    expect(s.kafkaSsl).toBe(true);
    expect(s.kafkaSasl).toEqual({ mechanism: 'scram-sha-512', username: 'app', password: 's3cret' });
  });
});
