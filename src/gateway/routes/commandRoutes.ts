import { gatewayCommandCounted } from '../../metrics/index.ts';
import { commandFromBody } from '../commandIntake.ts';
import type { GatewayContext } from '../context.ts';
import { HttpError, json, readJson } from '../http.ts';
import { awaitCommandRecord, readCommandRecord } from '../queries/commandRecord.ts';
import { requireUuid } from '../queries/input.ts';
import type { Route } from '../router.ts';

const maxWaitMs = 30_000;

/** POST /commands answers at once (202) and the command is decided asynchronously; GET polls its outcome. */
export function commandRoutes(ctx: GatewayContext): Route[] {
  const { runtime, logger } = ctx;
  const knownType = (body: unknown) => {
    const type = (body as { commandType?: unknown } | null)?.commandType;
    return typeof type === 'string' && runtime.domainOfCommand(type) ? type : 'unknown';
  };
  return [
    {
      method: 'POST',
      pattern: '/commands',
      async handle({ raw }) {
        const body = await readJson(raw, ctx.options.maxBodyBytes);
        let command;
        try {
          command = commandFromBody(runtime, body);
        } catch (error) {
          gatewayCommandCounted(knownType(body), 'invalid');
          logger.info('command refused as invalid', { commandType: knownType(body) });
          throw error;
        }
        const ids = { commandUuid: command.commandUuid, commandType: command.commandType, aggregateUuid: command.aggregateUuid, correlationId: command.metadata.correlationId };
        try {
          await ctx.intake.produce(command);
        } catch (error) {
          gatewayCommandCounted(command.commandType, 'unavailable');
          logger.info('command not produced: Kafka did not take it', { ...ids, error: (error as Error).message });
          // Kafka may still take it after we gave up: the same uuid makes a resend harmless.
          throw new HttpError(
            503,
            `Kafka did not take the command (${(error as Error).message}); nothing is known to be sent. Resend the same body with "commandUuid": "${command.commandUuid}": a duplicate is absorbed.`,
            [],
            { 'Retry-After': '5' },
          );
        }
        gatewayCommandCounted(command.commandType, 'accepted');
        logger.info('command sent', ids);
        const poll = `/commands/${command.commandUuid}`;
        return json(202, { ...ids, status: 'sent', poll }, { Location: poll });
      },
    },
    {
      method: 'GET',
      pattern: '/commands/:commandUuid',
      async handle({ params, url }) {
        const commandUuid = requireUuid(params.commandUuid as string, 'commandUuid');
        const wait = url.searchParams.get('wait');
        const waitMs = wait === null ? 0 : Number(wait);
        if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > maxWaitMs) throw new HttpError(400, `wait must be whole milliseconds from 0 to ${maxWaitMs}`, ['wait: out of range']);
        const record = waitMs > 0 ? await awaitCommandRecord(runtime.pool, commandUuid, waitMs) : await readCommandRecord(runtime.pool, commandUuid);
        if (record.status === 'unknown') {
          return json(404, { ...record, error: 'no worker has received this command yet (or it was never sent); poll again' }, { 'Retry-After': '1' });
        }
        return json(200, record);
      },
    },
  ];
}
