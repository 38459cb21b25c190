import { describe, expect, it } from 'vitest';
import { metricsListen } from '../../src/cli/metricsOption.ts';
import { UsageError } from '../../src/cli/usageError.ts';

describe('--metrics-port and STREAMFOLD_METRICS_PORT', () => {
  it('serves nothing unless asked; the flag wins over the variable; 0 is any free port', () => {
    expect(metricsListen(undefined, {})).toBeUndefined();
    expect(metricsListen(undefined, { STREAMFOLD_METRICS_PORT: '' })).toBeUndefined();
    expect(metricsListen(undefined, { STREAMFOLD_METRICS_PORT: '9464' })).toEqual({ port: 9464, host: '127.0.0.1' });
    expect(metricsListen('0', { STREAMFOLD_METRICS_PORT: '9464', STREAMFOLD_METRICS_HOST: '0.0.0.0' })).toEqual({ port: 0, host: '0.0.0.0' });
  });

  it.each(['-1', '65536', '1e3', '0x10', 'abc', ' 80'])('refuses %j as a usage error naming the option', (raw) => {
    expect(() => metricsListen(raw, {})).toThrow(UsageError);
    expect(() => metricsListen(raw, {})).toThrow(/--metrics-port \(STREAMFOLD_METRICS_PORT\): .* is not a port/);
  });
});
