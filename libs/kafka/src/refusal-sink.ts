import type { Producer } from 'kafkajs';
import { Topics, type RefusalRecord } from '@renkei/domain';

/**
 * Sends a service's aggregated security refusals to clearing, which appends them to the audit chain
 * (clearing's RefusalIngest). Keyed by service so one service's records stay in order.
 */
export function kafkaRefusalSink(producer: Producer) {
  return async (records: RefusalRecord[]): Promise<void> => {
    await producer.send({
      topic: Topics.auditRefusals,
      messages: records.map((r) => ({ key: r.service, value: JSON.stringify(r) })),
    });
  };
}
