import { Module } from '@nestjs/common';
import { PlatformProjection } from '@renkei/domain';
import { observeDecision } from '@renkei/platform';
import { PolicyEngine, PolicyGate } from '@renkei/policy';
import { DecisionRecorder, KafkaDecisionRecorder } from './decision-recorder.js';

/** Where a publish, a subscription and every delivery are decided (the policy gate) and recorded. */
@Module({
  providers: [
    {
      provide: PolicyGate,
      useFactory: (engine: PolicyEngine, state: PlatformProjection) =>
        new PolicyGate(engine, state, 'exchange', observeDecision),
      inject: [PolicyEngine, PlatformProjection],
    },
    { provide: DecisionRecorder, useClass: KafkaDecisionRecorder },
  ],
  exports: [PolicyGate, DecisionRecorder],
})
export class DecisionsModule {}
