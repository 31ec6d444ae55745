import { Module } from '@nestjs/common';
import { GrantsModule } from '../grants/grants.module.js';
import { TokensController } from './tokens.controller.js';
import { TokensService } from './tokens.service.js';

/**
 * Platform tokens (client assertions) and dataset tokens for the exchange, decided by the policy. Exports the
 * service: DSP transfers issue their transfer-bound tokens through it.
 */
@Module({
  imports: [GrantsModule],
  controllers: [TokensController],
  providers: [TokensService],
  exports: [TokensService],
})
export class TokensModule {}
