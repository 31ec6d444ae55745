import { Module } from '@nestjs/common';
import { GrantsModule } from '../../grants/grants.module.js';
import { NegotiationsController } from './negotiations.controller.js';
import { NegotiationsProtocolController } from './negotiations-protocol.controller.js';
import { DspNegotiations } from './negotiations.service.js';

/** DSP contract negotiations: the /dsp protocol routes, the /connector management API, the machine. */
@Module({
  imports: [GrantsModule],
  controllers: [NegotiationsProtocolController, NegotiationsController],
  providers: [DspNegotiations],
  exports: [DspNegotiations],
})
export class DspNegotiationsModule {}
