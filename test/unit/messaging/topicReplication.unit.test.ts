import { describe, expect, it } from 'vitest';
import { withReplication, type TopicFile } from '../../../src/messaging/topics.ts';

const file = (more: Partial<TopicFile> = {}): TopicFile => ({ name: 't', partitions: 6, config: { 'retention.ms': '-1' }, file: 'topics/t.json', ...more });
const replication = (files: TopicFile[], brokers: number, choice = {}) =>
  withReplication(files, brokers, choice).map((s) => [s.replicationFactor, s.config['min.insync.replicas']]);

describe('withReplication: flag or variable, then the topic file, then the cluster', () => {
  it('follows the cluster when nothing is asked: 1 and 1 on one broker, 2 and 1 on two, 3 and 2 from three', () => {
    expect([1, 2, 3, 5].map((brokers) => replication([file()], brokers)[0])).toEqual([
      [1, '1'],
      [2, '1'],
      [3, '2'],
      [3, '2'],
    ]);
  });

  it("takes the file's own values over the cluster's, and the choice over both", () => {
    const pinned = file({ replicationFactor: 2, config: { 'min.insync.replicas': '2' } });
    expect(replication([pinned], 3)).toEqual([[2, '2']]);
    expect(replication([pinned], 3, { replicationFactor: 3 })).toEqual([[3, '2']]);
    expect(replication([pinned], 3, { replicationFactor: 1, minInsyncReplicas: 1 })).toEqual([[1, '1']]);
    // A chosen factor alone: min.insync.replicas still from the file.
    expect(() => withReplication([pinned], 3, { replicationFactor: 1 })).toThrow(/min\.insync\.replicas 2 in topics\/t\.json is not from 1 to the replication factor 1/);
  });

  it('keeps the rest of the config', () => {
    expect(withReplication([file()], 1)[0]?.config).toEqual({ 'retention.ms': '-1', 'min.insync.replicas': '1' });
  });

  it('refuses a factor above the broker count, or a min.insync.replicas above the factor, naming where it came from', () => {
    expect(() => withReplication([file()], 1, { replicationFactor: 3 })).toThrow("replication factor 3 asked for (--replication-factor or STREAMFOLD_TOPIC_REPLICATION_FACTOR) is more than the cluster's 1 broker; give 1 or less");
    expect(() => withReplication([file({ replicationFactor: 4 })], 3)).toThrow("replication factor 4 in topics/t.json is more than the cluster's 3 brokers; give 3 or less");
    expect(() => withReplication([file()], 3, { minInsyncReplicas: 4 })).toThrow(/min\.insync\.replicas 4 asked for .* is not from 1 to the replication factor 3/);
  });
});
