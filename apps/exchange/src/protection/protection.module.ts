import { Module } from '@nestjs/common';
import { Protection, ServiceKeyProtection } from './protection.js';

/** Where protected fields are encrypted on publish and decrypted on delivery (clearing's data keys). */
@Module({
  providers: [{ provide: Protection, useClass: ServiceKeyProtection }],
  exports: [Protection],
})
export class ProtectionModule {}
