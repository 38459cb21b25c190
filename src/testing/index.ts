// The test kit: deciders given/when/then in memory; projections on real Postgres; the whole
// pipeline on real Kafka, registry and Postgres. Exported from the package root too.
export { deciderSpecification, command } from './deciderSpecification.ts';
export { projectionSpecification, recordedEvents, type SpecEvent, type ExpectedRows } from './projectionSpecification.ts';
export { testPipeline, type TestPipeline, type TestPipelineOptions, type WhenResult, type ExpectedEvent } from './testPipeline.ts';
export { isolateConfig } from './isolation.ts';
