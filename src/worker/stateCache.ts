/** Aggregate states the worker has folded, for the partitions it owns; least recently used go first. */
export class StateCache<State> {
  private readonly entries = new Map<string, { version: bigint; state: State }>();
  constructor(private readonly capacity: number) {}

  get(aggregateUuid: string): { version: bigint; state: State } | undefined {
    const entry = this.entries.get(aggregateUuid);
    if (entry) {
      this.entries.delete(aggregateUuid);
      this.entries.set(aggregateUuid, entry);
    }
    return entry;
  }

  set(aggregateUuid: string, version: bigint, state: State): void {
    this.entries.delete(aggregateUuid);
    this.entries.set(aggregateUuid, { version, state });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(aggregateUuid: string): void {
    this.entries.delete(aggregateUuid);
  }

  /** On a rebalance: another worker may have written to any aggregate meanwhile. */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
