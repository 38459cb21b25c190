import type { TransportMessage, TransportProducer } from './transport.ts';

export const deadLetterTopicOf = (topic: string) => `${topic}.dlq`;

/**
 * Sends the original bytes and headers on, with headers naming the error and where the message
 * came from. If this send fails the caller must not move its offset: nothing is lost.
 */
export async function sendToDeadLetter(
  producer: TransportProducer,
  source: { topic: string; partition: number; message: TransportMessage },
  error: Error & { code?: string },
): Promise<void> {
  await producer.send([
    {
      topic: deadLetterTopicOf(source.topic),
      messages: [
        {
          key: source.message.key,
          value: source.message.value,
          headers: {
            ...source.message.headers,
            'dlq-error-code': error.code ?? error.name,
            'dlq-error': error.message,
            'dlq-source-topic': source.topic,
            'dlq-source-partition': String(source.partition),
            'dlq-source-offset': source.message.offset,
            'dlq-failed-at': new Date().toISOString(),
          },
        },
      ],
    },
  ]);
}
