import { Module, type DynamicModule } from '@nestjs/common';
import type { JSONWebKeySet } from 'jose';
import { HealthModule } from '@renkei/platform';
import { AuditModule } from './audit/audit.module.js';
import type { AuditCheckpointer } from './audit/checkpoints.js';
import { ConsentsModule } from './consents/consents.module.js';
import { ClearingCoreModule, type ClearingCoreDeps } from './core/clearing-core.module.js';
import type { DataKeyStore } from './data-keys/data-key-store.js';
import { DataKeysModule } from './data-keys/data-keys.module.js';
import { DeadlinesModule } from './deadlines/deadlines.module.js';
import { DeletionModule } from './deletion/deletion.module.js';
import { DspModule } from './dsp/dsp.module.js';
import type { DspSettings } from './dsp/core/dsp-settings.js';
import { GrantsModule } from './grants/grants.module.js';
import { KeysModule } from './keys/keys.module.js';
import type { SigningKeyManager } from './keys/signing-key-manager.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { OffboardingModule } from './offboarding/offboarding.module.js';
import { PlatformEventsModule } from './platform-events/platform-events.module.js';
import { TokensModule } from './tokens/tokens.module.js';

export interface ClearingDeps extends ClearingCoreDeps {
  dataKeys: DataKeyStore;
  /** Public keys of platform services (the exchange) allowed on the internal endpoints. */
  serviceJwks: JSONWebKeySet | null;
  /** The token signing-key ring (rotation); optional only so the OpenAPI script can build the module. */
  signingKeys?: SigningKeyManager;
  /** Signs audit checkpoints; optional for the same reason. */
  checkpoints?: AuditCheckpointer;
  /** The Dataspace Protocol's settings (public URL, outgoing-call policy, connector key); optional likewise. */
  dsp?: DspSettings;
}

/**
 * The clearing service: the shared infrastructure (core) and one module per feature. Features that use
 * one another import the one they use, which exports what may be used (e.g. tokens import grants for the
 * party check); see ADR 0026.
 */
@Module({})
export class ClearingModule {
  static register(deps: ClearingDeps): DynamicModule {
    return {
      module: ClearingModule,
      imports: [
        ClearingCoreModule.register(deps),
        TokensModule,
        GrantsModule,
        NotificationsModule,
        ConsentsModule,
        DataKeysModule.register(deps.dataKeys, deps.serviceJwks),
        AuditModule.register(deps.checkpoints ?? null),
        KeysModule.register(deps.signingKeys ?? null),
        DeletionModule,
        OffboardingModule,
        // The Dataspace Protocol: /dsp, /connector and /.well-known/dspace-version.
        DspModule.register(deps.dsp ?? null),
        // Started by main.ts (not by merely building the module, e.g. for the OpenAPI document).
        DeadlinesModule,
        // The registry events' handlers (ADR 0021); the composition connects the transport that calls them.
        PlatformEventsModule.register({ state: deps.state, prisma: deps.prisma }),
        // Last, so the health routes stay last in the OpenAPI document.
        HealthModule,
      ],
    };
  }
}
