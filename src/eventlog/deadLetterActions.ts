import type { Pool, PoolClient } from './pool.ts';

type Queryable = Pool | PoolClient;

/** What an operator did with one dead-lettered message. */
export interface DeadLetterAction {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly action: 'retried' | 'discarded';
  readonly actor: string;
  readonly errorCode: string;
  readonly sentTo: string | null;
  readonly actedAt: string;
}

interface ActionRow {
  topic: string;
  partition: number;
  offset: string;
  action: 'retried' | 'discarded';
  actor: string;
  error_code: string;
  sent_to: string | null;
  acted_at: Date;
}

const toAction = (r: ActionRow): DeadLetterAction => ({
  topic: r.topic,
  partition: r.partition,
  offset: String(r.offset),
  action: r.action,
  actor: r.actor,
  errorCode: r.error_code,
  sentTo: r.sent_to,
  actedAt: r.acted_at.toISOString(),
});

/** Records who retried or discarded a dead letter; the row is the audit record. */
export async function recordDeadLetterAction(db: Queryable, action: Omit<DeadLetterAction, 'actedAt'>): Promise<DeadLetterAction> {
  const { rows } = await db.query<ActionRow>(
    `insert into dead_letter_actions (topic, partition, "offset", action, actor, error_code, sent_to)
     values ($1, $2, $3, $4, $5, $6, $7) returning topic, partition, "offset"::text as "offset", action, actor, error_code, sent_to, acted_at`,
    [action.topic, action.partition, action.offset, action.action, action.actor, action.errorCode, action.sentTo],
  );
  return toAction(rows[0]!);
}

/** Every action on a dead-letter topic's messages (all topics when none is named), oldest first. */
export async function readDeadLetterActions(db: Queryable, topic?: string): Promise<DeadLetterAction[]> {
  const { rows } = await db.query<ActionRow>(
    `select topic, partition, "offset"::text as "offset", action, actor, error_code, sent_to, acted_at from dead_letter_actions
     where $1::text is null or topic = $1 order by id`,
    [topic ?? null],
  );
  return rows.map(toAction);
}
