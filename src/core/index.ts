export * from './envelopes.ts';
export * from './decider.ts';
export * from './domain.ts';
export * from './errors.ts';
export * from './projection.ts';
export * from './ids.ts';
export * from './storableText.ts';
