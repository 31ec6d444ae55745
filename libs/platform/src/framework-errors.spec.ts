import 'reflect-metadata';
import { Controller, Get, Module, Param } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from './bootstrap.js';
import { MAX_PARAM_LENGTH } from './framework-errors.js';
import { DatasetPipe } from './zod.js';

@Controller('contracts')
class ProbeController {
  @Get(':dataset')
  get(@Param('dataset', new DatasetPipe()) dataset: string) {
    return { dataset };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

let app: NestFastifyApplication;

beforeAll(async () => {
  app = await createHttpApp(
    ProbeModule,
    { name: 'probe', title: 'probe', description: '' },
    pino({ level: 'silent' }),
  );
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
});

afterAll(async () => {
  await app?.close();
});

const get = (url: string) => app.getHttpAdapter().getInstance().inject({ method: 'GET', url });

describe("Fastify's own refusals, before any route", () => {
  it('routes a well-formed id, and answers an over-long one with the handler’s 400 naming it', async () => {
    expect((await get('/contracts/battery.cfp')).json()).toEqual({ dataset: 'battery.cfp' });
    const tooLongForAnId = await get(`/contracts/a.${'b'.repeat(250)}`);
    expect(tooLongForAnId.statusCode).toBe(400);
    expect(tooLongForAnId.json()).toMatchObject({
      code: 'REQUEST.INVALID_ID',
      errors: [{ path: '/dataset' }],
    });
  });

  it('answers a path segment beyond the router limit with a problem+json 414', async () => {
    const response = await get(`/contracts/${'a'.repeat(MAX_PARAM_LENGTH + 1)}`);
    expect(response.statusCode).toBe(414);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({
      status: 414,
      code: 'REQUEST.URI_TOO_LONG',
      instance: expect.any(String),
    });
  });

  it('answers a broken percent-encoding with a problem+json 400', async () => {
    const response = await get('/contracts/%E0%A4%A');
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 400, code: 'REQUEST.MALFORMED_URL' });
  });
});
