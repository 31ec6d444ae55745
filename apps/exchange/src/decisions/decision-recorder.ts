import { Inject, Injectable } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import { Topics, type DecisionRecordInput } from '@renkei/domain';
import { SEND_DEADLINE_MS } from '@renkei/kafka';
import { withDeadline } from '@renkei/platform';
import { KAFKA_PRODUCER } from '../platform/platform.module.js';

/** Appends decision records to the platform's audit chain. */
export abstract class DecisionRecorder {
  abstract record(records: DecisionRecordInput[]): Promise<void>;
}

/** Decision records go to the audit topic (acks=all) and from there onto clearing's hash chain. */
@Injectable()
export class KafkaDecisionRecorder implements DecisionRecorder {
  constructor(@Inject(KAFKA_PRODUCER) private readonly producer: Pick<Producer, 'send'>) {}

  async record(records: DecisionRecordInput[]): Promise<void> {
    if (records.length === 0) return;
    await withDeadline(
      this.producer.send({
        topic: Topics.auditDecisions,
        acks: -1,
        messages: records.map((r) => ({ key: r.requestedBy, value: JSON.stringify(r) })),
      }),
      SEND_DEADLINE_MS,
      'Kafka produce (decision records)',
    );
  }
}
