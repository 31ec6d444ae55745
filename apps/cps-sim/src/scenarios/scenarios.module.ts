import { Module } from '@nestjs/common';
import { ScenariosService } from './scenarios.service.js';

/** Scenario definitions: a kind and that kind's parameters. */
@Module({ providers: [ScenariosService], exports: [ScenariosService] })
export class ScenariosModule {}
