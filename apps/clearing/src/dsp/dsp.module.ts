import { Module, type DynamicModule } from '@nestjs/common';
import { DspCatalogModule } from './catalog/catalog.module.js';
import { DspCoreModule } from './core/dsp-core.module.js';
import type { DspSettings } from './core/dsp-settings.js';
import { DspNegotiationsModule } from './negotiations/negotiations.module.js';
import { DspTransfersModule } from './transfers/transfers.module.js';

/**
 * The Dataspace Protocol (DSP 2025-1) in clearing: the protocol routes under /dsp (peer connectors,
 * authenticated as registered participants), the member-facing management API under /connector, the
 * metadata at /.well-known/dspace-version, the outbox of outgoing DSP messages and the peer registry.
 * Negotiations are grant requests (GrantsService), seen through the DSP's states. Each feature is a module
 * in its folder (negotiations/, transfers/, ...), listed here.
 */
@Module({})
export class DspModule {
  static register(settings: DspSettings | null): DynamicModule {
    return {
      module: DspModule,
      imports: [
        DspCoreModule.register(settings),
        DspCatalogModule,
        DspNegotiationsModule,
        DspTransfersModule,
      ],
    };
  }
}
