import { describe, expect, it } from 'vitest';
import { skipHaltedEvent } from '../../../src/eventlog/index.ts';
import { projectorNameOf } from '../../../src/projection/names.ts';
import { deadLetterTopicOf } from '../../../src/messaging/deadLetters.ts';
import { THROWING_BY } from '../fixture/streamfold.config.ts';
import { until } from '../faultHooks.ts';
import { producePoison } from '../poison.ts';
import { runScenario } from '../scenario.ts';
import { rawKafka } from '../../support/rawKafka.ts';

// Fault 7: poison on the command and event topics, and a projection handler that throws for one aggregate.
describe('fault 7 (fast): poison messages and a throwing projection handler', () => {
  it('dead-letters exactly the poison, halts on the throwing event until an operator skips it, and goes on', async () => {
    let skipped = 0;
    const report = await runScenario({
      label: 'fault-7-fast-poison',
      workers: 1,
      load: {
        aggregates: 100,
        rounds: 12,
        intervalMs: 400,
        // One counter gets an increment the projection handler throws for.
        special: (aggregate, round) => (aggregate === 3 && round === 4 ? THROWING_BY : undefined),
      },
      expectations: { poisonEvents: (e) => e.type === 'Incremented' && e.data.by === THROWING_BY },
      inject: async ({ pipeline, loadDone, injected, expectDeadLetters, commandTopic, eventTopic }) => {
        const { runtime } = pipeline;
        await new Promise((resolve) => setTimeout(resolve, 1500));
        for (let i = 0; i < 2; i++) {
          const onCommands = await producePoison(rawKafka(runtime), runtime, commandTopic, 'command');
          const onEvents = await producePoison(rawKafka(runtime), runtime, eventTopic, 'event');
          expectDeadLetters(deadLetterTopicOf(commandTopic), onCommands);
          expectDeadLetters(deadLetterTopicOf(eventTopic), onEvents);
          injected('poisonMessages', onCommands + onEvents);
          await new Promise((resolve) => setTimeout(resolve, 1500));
        }
        await loadDone;
        // The operator's `streamfold projection skip`, once the projection has halted on the throwing event.
        const projector = projectorNameOf(pipeline.config.projections[0]!);
        const halted = await until(async () => (skipped = await skipHaltedEvent(runtime.pool, projector)) > 0, 60_000, 500);
        expect(halted).toBe(true);
        injected('throwingHandlerEvents', 1);
      },
    });
    expect(skipped).toBe(1);
    expect(report.numbers.projectionFailures).toBe(1);
    expect(report.numbers.deadLettered).toBe(10);
  });
});
