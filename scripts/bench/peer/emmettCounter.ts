// The peer: the counter domain's commands handled by Emmett (command handler + PostgreSQL event
// store, no Kafka), against the same Postgres server. Run by ../peer.ts in the bench.
import { randomUUID } from 'node:crypto';
import { DeciderCommandHandler, type Command, type Event } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';

type Increment = Command<'Increment', { counter_uuid: string; by: number }>;
type Incremented = Event<'Incremented', { counter_uuid: string; by: number; total: number }>;

const handle = DeciderCommandHandler<{ total: number }, Increment, Incremented>({
  initialState: () => ({ total: 0 }),
  decide: (command, state) => ({ type: 'Incremented', data: { ...command.data, total: state.total + command.data.by } }),
  evolve: (_state, event) => ({ total: event.data.total }),
});

/** Commands per second Emmett handles: `commands` over `aggregates`, `concurrency` handlers at once. */
export async function emmettCommandsPerSecond(databaseUrl: string, commands: number, aggregates: number, concurrency: number): Promise<number> {
  const eventStore = getPostgreSQLEventStore(databaseUrl);
  try {
    const counters = Array.from({ length: aggregates }, () => randomUUID());
    // Warm up: schema created, connections open.
    await handle(eventStore, `counter-${randomUUID()}`, { type: 'Increment', data: { counter_uuid: 'warm', by: 1 } });
    let next = 0;
    const started = performance.now();
    const lane = async (laneIndex: number) => {
      // Each lane owns its own aggregates, as a partition would, so lanes never conflict.
      for (;;) {
        const i = next++;
        if (i >= commands) return;
        const counter = counters[(Math.floor(i / concurrency) * concurrency + laneIndex) % aggregates] as string;
        await handle(eventStore, `counter-${counter}`, { type: 'Increment', data: { counter_uuid: counter, by: 1 } });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, lane_) => lane(lane_)));
    return commands / ((performance.now() - started) / 1000);
  } finally {
    await eventStore.close();
  }
}
