import { Module, type DynamicModule } from '@nestjs/common';
import type { JSONWebKeySet } from 'jose';
import { DatasetsModule } from '../datasets/datasets.module.js';
import { DataKeyStore } from './data-key-store.js';
import { DataKeysController, InternalDataKeysController } from './data-keys.controller.js';
import { DataKeysService } from './data-keys.service.js';
import { SERVICE_JWKS, ServiceGuard } from './service.guard.js';

/**
 * Data keys for crypto-shredding: released to the exchange on its internal endpoints (ServiceGuard), and
 * destroyed when an originator erases a person. The key store is built by main.ts (it holds the KEK).
 */
@Module({})
export class DataKeysModule {
  /** `serviceJwks`: public keys of platform services (the exchange) allowed on the internal endpoints. */
  static register(store: DataKeyStore, serviceJwks: JSONWebKeySet | null): DynamicModule {
    return {
      module: DataKeysModule,
      imports: [DatasetsModule],
      controllers: [DataKeysController, InternalDataKeysController],
      providers: [
        { provide: DataKeyStore, useValue: store },
        { provide: SERVICE_JWKS, useValue: serviceJwks },
        ServiceGuard,
        DataKeysService,
      ],
    };
  }
}
