import { Module } from '@nestjs/common';
import { ClearingSettings } from '../../core/clearing-settings.js';
import { DEFAULT_DSP_PARTICIPANT_ID, DspSettings, protocolUrl } from '../core/dsp-settings.js';
import { DspCatalogController } from './catalog.controller.js';
import { DspCatalogService, DspCatalogSettings } from './catalog.service.js';

/**
 * The DSP Catalog Protocol: `POST /dsp/catalog/request` and `GET /dsp/catalog/datasets/{id}`, built from the
 * registry projection clearing follows (contracts, participants) with the registry's DCAT mapping
 * (libs/contracts). Uses the DSP core (peer guard, error bodies, body reader, settings), which DspModule
 * provides globally.
 */
@Module({
  controllers: [DspCatalogController],
  providers: [
    {
      provide: DspCatalogSettings,
      useFactory: (settings: DspSettings, clearing: ClearingSettings): DspCatalogSettings => ({
        participantId: settings.participantId ?? DEFAULT_DSP_PARTICIPANT_ID,
        protocolUrl: protocolUrl(settings),
        registryUrl: settings.registryUrl ?? 'http://127.0.0.1:3001',
        exchangeUrl: clearing.exchangeUrl,
      }),
      inject: [DspSettings, ClearingSettings],
    },
    DspCatalogService,
  ],
})
export class DspCatalogModule {}
