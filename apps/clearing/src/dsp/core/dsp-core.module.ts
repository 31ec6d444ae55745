import { Module, type DynamicModule } from '@nestjs/common';
import { DspCallbacks } from './callbacks.js';
import { DspPeerGuard } from './dsp-peer.guard.js';
import { DspSettings } from './dsp-settings.js';
import { DspMetadataController } from './metadata.controller.js';
import { PeersController } from './peers.controller.js';
import { DspPeers } from './peers.service.js';

/** What the DSP needs from configuration; absent (e.g. the OpenAPI script): inert defaults. */
const inertSettings: DspSettings = {
  publicUrl: 'http://127.0.0.1:3002',
  allowInsecureLoopback: false,
  callTimeoutMs: 10_000,
  connectorKey: null,
};

/**
 * What every DSP feature (negotiations, transfers, catalog) shares, provided once (global): the settings,
 * the peer registry and its tokens, the outbox of outgoing messages and the peer guard of /dsp routes; and
 * the metadata and peer routes themselves.
 */
@Module({})
export class DspCoreModule {
  static register(settings: DspSettings | null): DynamicModule {
    return {
      module: DspCoreModule,
      global: true,
      controllers: [DspMetadataController, PeersController],
      providers: [
        { provide: DspSettings, useValue: settings ?? inertSettings },
        DspPeers,
        DspCallbacks,
        DspPeerGuard,
      ],
      exports: [DspSettings, DspPeers, DspCallbacks, DspPeerGuard],
    };
  }
}
