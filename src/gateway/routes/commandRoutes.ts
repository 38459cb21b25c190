import type { FastifyInstance } from 'fastify';
import type { CommandEnvelope } from '../../core/index.ts';
import { gatewayCommandCounted } from '../../metrics/index.ts';
import { commandAnswers, ref, readAnswers, uuid } from '../apiSchemas.ts';
import { commandFromBody } from '../commandIntake.ts';
import type { GatewayContext } from '../context.ts';
import { HttpError } from '../http.ts';
import { awaitCommandRecord, readCommandRecord } from '../queries/commandRecord.ts';

const maxWaitMs = 30_000;

/** POST /commands answers at once (202) and the command is decided asynchronously; GET polls its outcome. */
export function commandRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  const { runtime, logger } = ctx;
  const knownType = (body: unknown) => {
    const type = (body as { commandType?: unknown } | null)?.commandType;
    return typeof type === 'string' && runtime.domainOfCommand(type) ? type : 'unknown';
  };

  app.post<{ Body: CommandEnvelope }>(
    '/commands',
    {
      schema: { summary: 'Validate a command against its Avro schema and produce it; decided asynchronously', body: ref('Command'), response: commandAnswers },
      // The body's schema is the command type's `.avsc` record: the door checks it with the Avro
      // schema itself (the JSON Schema above is derived from it), every problem at once, and hands
      // the handler a built envelope.
      validatorCompiler: () => (body: unknown) => {
        try {
          return { value: commandFromBody(runtime, body) };
        } catch (error) {
          gatewayCommandCounted(knownType(body), 'invalid');
          logger.info('command refused as invalid', { commandType: knownType(body) });
          return { error: error as Error };
        }
      },
    },
    async (request, reply) => {
      const command = request.body;
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
      return reply.code(202).header('Location', poll).send({ ...ids, status: 'sent', poll });
    },
  );

  app.get<{ Params: { commandUuid: string }; Querystring: { wait?: number } }>(
    '/commands/:commandUuid',
    {
      schema: {
        summary: "A command's status (unknown, pending, accepted, rejected, invalid), reason and the events it caused",
        params: { type: 'object', properties: { commandUuid: { ...uuid, description: 'the uuid the POST answered' } }, required: ['commandUuid'] },
        querystring: { type: 'object', properties: { wait: { type: 'integer', minimum: 0, maximum: maxWaitMs, description: `whole milliseconds from 0 to ${maxWaitMs}, how long to wait for an outcome` } } },
        response: readAnswers(ref('CommandRecord')),
      },
    },
    async (request, reply) => {
      const commandUuid = request.params.commandUuid.toLowerCase();
      const waitMs = request.query.wait ?? 0;
      const record = waitMs > 0 ? await awaitCommandRecord(runtime.pool, commandUuid, waitMs, runtime.codec.personalFields) : await readCommandRecord(runtime.pool, commandUuid, runtime.codec.personalFields);
      if (record.status === 'unknown') {
        return reply.code(404).header('Retry-After', '1').send({ ...record, error: 'no worker has received this command yet (or it was never sent); poll again' });
      }
      return record;
    },
  );
}
