/**
 * What streamfold needs of a Kafka client, and nothing more: the worker, projector, reactor, client
 * and operators talk to Kafka only through these interfaces, so the client can be changed in one
 * folder (src/messaging/kafkajs is the one in use). Offsets are strings or bigints, never numbers.
 */

/** Header values as a Kafka client hands them over: a header sent twice arrives as an array. */
export type MessageHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/** A message as read from a partition. */
export interface TransportMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: MessageHeaders;
  readonly offset: string;
  /** Milliseconds since the epoch, as Kafka stamped the record (create or log-append time). */
  readonly timestamp: string;
}

/** A message to produce: routed by its key as Java's client routes it (murmur2), unless `partition` pins it. */
export interface OutgoingMessage {
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: MessageHeaders;
  readonly partition?: number;
}

export interface TopicMessages {
  readonly topic: string;
  readonly messages: readonly OutgoingMessage[];
}

/** One fetched batch of one partition, handed to a consumer's handler. */
export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly TransportMessage[];
  /** When the fetch that brought this batch was answered, in milliseconds since the epoch: for chunk timings. */
  readonly fetchedAt: number;
  /** False once the consumer is stopping: the rest of the batch is left for the partition's next owner. */
  isRunning(): boolean;
  /** True once a seek or a rebalance made the rest of this batch out of date. */
  isStale(): boolean;
  /** Tells the group this member is alive; a handler slower than the session timeout calls it meanwhile. */
  heartbeat(): Promise<void>;
  /**
   * Commits `offset`, the next one to read, for this partition, and reads on from there. A commit
   * that fails because this member lost its place in the group rejects so that the consumer
   * rejoins; what was handled before it is read again by the partition's next owner. In the
   * pipelined loop it resolves once the offset is recorded: the commit goes out after, coalesced
   * with other partitions', and a lost membership makes the consumer rejoin all the same.
   */
  commit(offset: string): Promise<void>;
}

/** What a consumer reports about itself: the stall watchdog and the worker's state cache listen. */
export interface ConsumerEvents {
  /** A fetch was answered (with messages or without). */
  readonly fetch: Record<string, never>;
  /** The group is rebalancing: partitions may move to another member. */
  readonly rebalancing: Record<string, never>;
  /** This member joined the group (the first time, after a rebalance, after a restart). */
  readonly 'group-join': Record<string, never>;
  /** The consumer stopped on an error; `restart` says whether it will be started again on its own. */
  readonly crash: { readonly error: Error; readonly restart: boolean };
}

export interface ConsumerOptions {
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** How long the broker may hold a fetch open waiting for messages. */
  readonly fetchMaxWaitMs?: number;
}

export interface RunOptions {
  /** Partitions handled at once; each has its own batches, in order. */
  readonly partitionsConcurrently?: number;
  /** Handles a batch; nothing is committed unless it calls `batch.commit`. A throw hands the batch back to be fetched again. */
  readonly eachBatch: (batch: PartitionBatch) => Promise<void>;
}

/**
 * How a consumer runs its handler: `pipelined` fetches the next batches while it handles the last
 * and commits offsets off the handler's path; `sequential` fetches again only once every batch of
 * the last fetch is handled (kafkajs's own runner). Order per partition, and a Postgres commit
 * before its offset commit, hold in both.
 */
export type ConsumeLoop = 'pipelined' | 'sequential';

/** A member of a consumer group. */
export interface TransportConsumer {
  /** Connects and subscribes; a new group starts at the beginning of the topics. */
  connect(topics: readonly string[]): Promise<void>;
  /** Starts fetching; resolves once running. A consumer that crashes while the broker is away is started again. */
  run(options: RunOptions): Promise<void>;
  /** Stops fetching the topics' partitions until `resume`. */
  pause(topics: readonly string[]): void;
  resume(topics: readonly string[]): void;
  /** Reads the partition on from `offset` (its batches in hand become stale). */
  seek(topic: string, partition: number, offset: string): void;
  on<E extends keyof ConsumerEvents>(event: E, listener: (payload: ConsumerEvents[E]) => void): () => void;
  /** True while no broker can be reached at all and the client is retrying its connection. */
  brokerUnreachable(): boolean;
  /** Leaves the group; waits for the batch in hand, which finishes or leaves its offset uncommitted. */
  disconnect(): Promise<void>;
}

export interface SendOptions {
  /** Kafka left some partitions unanswered and their messages are sent again (the places are `topic[partition]`). */
  readonly onResend?: (places: readonly string[]) => void;
}

/**
 * A producer whose sends are complete: it resolves only once every message is acknowledged by all
 * in-sync replicas; idempotent, with per-partition order kept across retries.
 */
export interface TransportProducer {
  connect(): Promise<void>;
  send(topicMessages: readonly TopicMessages[], options?: SendOptions): Promise<void>;
  disconnect(): Promise<void>;
}

export interface NewTopic {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string>>;
}

export interface TopicDescription {
  readonly name: string;
  readonly partitions: number;
  /** The replicas of its first partition. */
  readonly replicationFactor: number;
  /** The topic's config as the broker reports it (synonyms left out). */
  readonly config: Readonly<Record<string, string>>;
}

export interface PartitionOffsets {
  readonly partition: number;
  /** The first offset still held, and the offset the next message will get. */
  readonly low: bigint;
  readonly high: bigint;
}

export interface CommittedOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset the group will read; undefined when it never committed one. */
  readonly offset: bigint | undefined;
}

export interface TransportAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** The brokers of the cluster: an answer means Kafka is reachable. */
  describeCluster(): Promise<{ brokers: { nodeId: number; host: string; port: number }[] }>;
  listTopics(): Promise<string[]>;
  /** Creates the topics and resolves once every partition has a leader, so the first produce finds one. */
  createTopics(topics: readonly NewTopic[]): Promise<void>;
  deleteTopics(topics: readonly string[]): Promise<void>;
  describeTopics(topics: readonly string[]): Promise<TopicDescription[]>;
  /** Low and high watermarks per partition, in partition order. */
  topicOffsets(topic: string): Promise<PartitionOffsets[]>;
  committedOffsets(groupId: string, topics: readonly string[]): Promise<CommittedOffset[]>;
  /** How many members each group has now; a group that does not exist has none. */
  groupMembers(groupIds: readonly string[]): Promise<{ groupId: string; members: number }[]>;
  /** Deletes the groups; one that does not exist is fine, one with members fails. */
  deleteGroups(groupIds: readonly string[]): Promise<void>;
}

/** A Kafka client for one process role. */
export interface Transport {
  consumer(groupId: string, options?: ConsumerOptions): TransportConsumer;
  producer(): TransportProducer;
  admin(): TransportAdmin;
  /** Whether an error this client threw means the broker (or the group's coordinator on it) is away for now. */
  isBrokerAway(error: unknown): boolean;
}

/** A partition's place as `topic[partition]`: for logs and errors. */
export const placeOf = (topic: string, partition: number) => `${topic}[${partition}]`;
