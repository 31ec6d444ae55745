import { Module } from '@nestjs/common';
import { GrantsModule } from '../../grants/grants.module.js';
import { TokensModule } from '../../tokens/tokens.module.js';
import { ConnectorTransfersController } from './connector-transfers.controller.js';
import { DspTransfersController } from './dsp-transfers.controller.js';
import { TransferDelivery } from './transfer-delivery.js';
import { DspTransfersService } from './transfers.service.js';

/**
 * The DSP transfer process, both sides: the /dsp/transfers routes peers call, the member's
 * /connector/transfers, the machine (following its grants through GrantTransitionHooks), and the delivery
 * of received data into a member's dataset. The shared DSP core (settings, peers, callbacks) is global.
 */
@Module({
  imports: [GrantsModule, TokensModule],
  controllers: [DspTransfersController, ConnectorTransfersController],
  providers: [DspTransfersService, TransferDelivery],
})
export class DspTransfersModule {}
