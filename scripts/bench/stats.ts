import { percentile } from '../../src/operate/percentile.ts';

export { percentile };
export const median = (values: readonly number[]) => percentile(values, 50);
export const round = (value: number, digits = 1) => Number(value.toFixed(digits));
