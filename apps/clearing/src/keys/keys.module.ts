import { Module, type DynamicModule } from '@nestjs/common';
import { SigningKeysController } from './keys.controller.js';
import { SigningKeyManager } from './signing-key-manager.js';

/**
 * The token signing-key ring as the consortium admin sees and rotates it. The manager is built by main.ts
 * (the issuer follows its ring and it runs a timer); null only where the module is built for its OpenAPI
 * document.
 */
@Module({})
export class KeysModule {
  static register(signingKeys: SigningKeyManager | null): DynamicModule {
    return {
      module: KeysModule,
      controllers: [SigningKeysController],
      providers: [{ provide: SigningKeyManager, useValue: signingKeys }],
    };
  }
}
