import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Optional,
  Param,
  Post,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Authenticated, CurrentPrincipal, type Principal } from '@renkei/auth';
import {
  ApiExample,
  ApiZodBody,
  keepStreamOpen,
  UuidPipe,
  ZodPipe,
  RateLimited,
  Problems,
  Responds,
} from '@renkei/platform';
import { renderSvg } from '../charts/chart.js';
import { CpsIdentity, notConfigured as notConfiguredError } from '../cps-sim.identity.js';
import { PublishedSchema, PublishRunSchema, type PublishRun } from '../derived/derived.dto.js';
import { DerivedService } from '../derived/derived.service.js';
import {
  InputSchema,
  RebuildSchema,
  RequestInputSchema,
  TwinSchema,
  type RequestInput,
} from '../inputs/inputs.dto.js';
import { InputsService } from '../inputs/inputs.service.js';
import {
  ResultSchema,
  RunEventsSchema,
  RunSchema,
  StartedSchema,
  SvgSchema,
  runEventsExample,
} from '../scenarios/runs.dto.js';
import { RunsService, type RunEvent } from '../scenarios/runs.service.js';
import {
  DefineScenarioSchema,
  ScenarioSchema,
  StartRunSchema,
  type DefineScenario,
  type StartRun,
} from '../scenarios/scenarios.dto.js';
import { ScenariosService } from '../scenarios/scenarios.service.js';
import { UpstreamInterceptor } from '../upstream.js';
import {
  disruptionScenarioExample,
  inputExample,
  problem,
  publishedExample,
  publishExample,
  rebuildExample,
  requestInputExample,
  resultExample,
  runExample,
  scenarioExample,
  startedExample,
  svgExample,
  twinExample,
} from './examples.js';

/** What clearing's policy says about a purpose the contract does not offer (relayed as it is). */
const purposeExplanation = {
  code: 'PURPOSE.NOT_ALLOWED',
  message: "purpose 'marketing' is not among the contract's purposes cfp-disclosure, due-diligence",
  params: {
    action: 'grant.request',
    purpose: 'marketing',
    grantPurpose: null,
    purposes: ['cfp-disclosure', 'due-diligence'],
  },
};

const notConfigured = problem(
  503,
  'CPS.NOT_CONFIGURED',
  'The CPS service has no participant identity yet',
  'Onboard it as a participant, then start it with CPS_CLIENT_ID and CPS_PRIVATE_JWK',
  '/inputs',
);
const notOperator = problem(
  403,
  'CPS.NOT_OPERATOR',
  'Only the CPS service operators may use this API',
  'Subscribe to the derived datasets (cps.*) through the exchange instead',
  '/twin',
);
/** 409 RUN.NOT_FINISHED at a run's path under /runs/{id}. */
const notFinished = (path: string) =>
  problem(
    409,
    'RUN.NOT_FINISHED',
    'The run is running (35%)',
    'Poll GET /runs/{id} until status is succeeded',
    `/runs/${runExample.id}${path}`,
  );
/** 404 SCENARIO.NOT_FOUND at a scenario's path under /scenarios/{id}. */
const scenarioNotFound = (path = '') =>
  problem(
    404,
    'SCENARIO.NOT_FOUND',
    `No scenario ${scenarioExample.id}`,
    'List scenarios with GET /scenarios',
    `/scenarios/${scenarioExample.id}${path}`,
  );
/** Every operator call: the caller must be an operator; the service needs its identity and its upstreams. */
const operatorProblems = {
  403: ['CPS.NOT_OPERATOR'],
  503: ['CPS.NOT_CONFIGURED', 'UPSTREAM.UNAVAILABLE'],
};
const runParam = ApiParam({ name: 'id', description: 'Run id', example: runExample.id });

/** A comment line on a run's event stream while nothing else is sent, so proxies keep it open. */
export const RUN_EVENTS_HEARTBEAT_MS = 15_000;

/** One Server-Sent Event: its number, name and JSON data. */
const sse = (e: RunEvent) => `id: ${e.seq}\nevent: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;

@ApiTags('cps')
@Controller()
// Every call the service makes on registry, clearing and exchange: their refusals keep status, code and
// paths; an unreachable service is 503 UPSTREAM.UNAVAILABLE.
@UseInterceptors(UpstreamInterceptor)
export class CpsSimController {
  /** The feature services exist only once the service has a participant identity (CpsSimModule). */
  constructor(
    private readonly identity: CpsIdentity,
    @Optional() private readonly inputsService?: InputsService,
    @Optional() private readonly scenariosService?: ScenariosService,
    @Optional() private readonly runsService?: RunsService,
    @Optional() private readonly derivedService?: DerivedService,
  ) {}

  /** The services, or 503 CPS.NOT_CONFIGURED; then 403 CPS.NOT_OPERATOR unless the caller may use them. */
  private services(principal: Principal) {
    const { inputsService, scenariosService, runsService, derivedService } = this;
    if (!inputsService || !scenariosService || !runsService || !derivedService) throw notConfiguredError();
    this.identity.assertOperator(principal);
    return { inputs: inputsService, scenarios: scenariosService, runs: runsService, derived: derivedService };
  }

  // ------------------------------------------------------------------ inputs

  @Get('inputs')
  @Authenticated('api')
  @ApiOperation({
    summary: "The twin's inputs: each followed dataset, its grant, events applied and stream position",
  })
  @Responds(200, z.array(InputSchema), { description: 'The inputs', example: [inputExample] })
  @Problems(operatorProblems)
  @ApiExample(403, 'Not an operator of the service', notOperator)
  @ApiExample(503, 'The service has no participant identity yet', notConfigured)
  inputs(@CurrentPrincipal() principal: Principal) {
    return this.services(principal).inputs.list();
  }

  @Post('inputs')
  @HttpCode(202)
  @Authenticated('api')
  @ApiOperation({
    summary: 'Request access to a dataset for a purpose (through clearing) and follow it',
    description:
      'The service asks for a grant like any member; the stream opens once the originator approves. Follow progress with GET /inputs.',
  })
  @ApiZodBody(RequestInputSchema, requestInputExample)
  @Responds(202, InputSchema, {
    description: 'Requested; followed from now on',
    example: { ...inputExample, state: 'requested', eventsApplied: 0 },
  })
  @Problems({
    ...operatorProblems,
    403: [...operatorProblems[403], 'PURPOSE.NOT_ALLOWED', '<policy reason>'],
    404: ['CONTRACT.NOT_FOUND'],
  })
  @ApiExample(403, 'The policy refuses the request (e.g. the purpose is not offered)', {
    ...problem(
      403,
      'PURPOSE.NOT_ALLOWED',
      `The access request was denied by policy (PURPOSE.NOT_ALLOWED): ${purposeExplanation.message}`,
      'The decision is on the audit record; ask the data owner about the grant or its terms',
      '/inputs',
    ),
    rule: 'PURPOSE.NOT_ALLOWED',
    explanation: purposeExplanation.message,
    explanations: [purposeExplanation],
  })
  request(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodPipe(RequestInputSchema)) body: RequestInput,
  ) {
    return this.services(principal).inputs.request(body.dataset, body.purpose);
  }

  // ------------------------------------------------------------------ twin

  @Get('twin')
  @Authenticated('api')
  @ApiOperation({ summary: 'The twin now: counts, digest, and the inputs it was built from' })
  @Responds(200, TwinSchema, { description: 'The twin', example: twinExample })
  @Problems(operatorProblems)
  @ApiExample(403, 'Not an operator of the service', notOperator)
  twin(@CurrentPrincipal() principal: Principal) {
    const { twin, digest, lineage } = this.services(principal).inputs.state();
    return {
      asOf: twin.asOf ?? null,
      digest,
      counts: {
        facilities: twin.facilities.length,
        bom: twin.bom.length,
        links: twin.links.length,
        hospitals: twin.hospitals.length,
      },
      inputs: lineage,
      sources: twin.sources,
    };
  }

  @Post('twin/rebuild')
  @RateLimited('heavy')
  @HttpCode(200)
  @Authenticated('api')
  @ApiOperation({
    summary: 'Rebuild the twin from the events the service holds',
    description:
      "Drops the cached twin and replays every event the inputs delivered and the service still holds, in the canonical order (time of occurrence, dataset, id). `before` is the digest served until now, `after` the replay's; the twin is a pure function of its events, so `identical` is true. It does not re-read the topics: a restart of the service does that, and rebuilds the same twin.",
  })
  @Responds(200, RebuildSchema, { description: 'Rebuilt', example: rebuildExample })
  @Problems(operatorProblems)
  rebuild(@CurrentPrincipal() principal: Principal) {
    const out = this.services(principal).inputs.rebuild();
    return { ...out, identical: out.before === out.after };
  }

  // ------------------------------------------------------------------ scenarios

  @Post('scenarios')
  @Authenticated('api')
  @ApiOperation({
    summary: 'Define a scenario: disruption, method-switch, cfp-rollup or hospital-occupancy',
    description:
      'disruption: {stop:{supplier?,country?,input?}, days, horizonDays, runs?, seed?, leadTimeJitter?}; method-switch: {base, alt}; cfp-rollup: {product}; hospital-occupancy: {horizonDays, runs, seed?, surge?}. Parameters errors point into /params (SCENARIO.INVALID_PARAMS).',
  })
  @ApiZodBody(DefineScenarioSchema, disruptionScenarioExample)
  @Responds(201, ScenarioSchema, { description: 'The scenario', example: scenarioExample })
  @Problems({ ...operatorProblems, 400: ['SCENARIO.INVALID_PARAMS'] })
  @ApiExample(400, 'Parameters do not fit the kind', {
    ...problem(
      400,
      'SCENARIO.INVALID_PARAMS',
      'The request is not valid',
      'Fix the fields listed in `errors` and send the request again',
      '/scenarios',
    ),
    errors: [{ path: '/params/days', message: 'Invalid input: expected number, received undefined' }],
  })
  define(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodPipe(DefineScenarioSchema)) body: DefineScenario,
  ) {
    return this.services(principal).scenarios.define(body, principal.participantId);
  }

  @Get('scenarios')
  @Authenticated('api')
  @ApiOperation({ summary: 'Every scenario defined' })
  @Responds(200, z.array(ScenarioSchema), { description: 'The scenarios', example: [scenarioExample] })
  @Problems(operatorProblems)
  scenarios(@CurrentPrincipal() principal: Principal) {
    return this.services(principal).scenarios.list();
  }

  @Get('scenarios/:id')
  @Authenticated('api')
  @ApiParam({ name: 'id', example: scenarioExample.id })
  @ApiOperation({ summary: 'One scenario' })
  @Responds(200, ScenarioSchema, { description: 'The scenario', example: scenarioExample })
  @Problems({ ...operatorProblems, 404: ['SCENARIO.NOT_FOUND'] })
  @ApiExample(404, 'No such scenario', scenarioNotFound())
  scenario(@CurrentPrincipal() principal: Principal, @Param('id', new UuidPipe()) id: string) {
    return this.services(principal).scenarios.get(id);
  }

  @Post('scenarios/:id/runs')
  @RateLimited('heavy')
  @HttpCode(202)
  @Authenticated('api')
  @ApiParam({ name: 'id', example: scenarioExample.id })
  @ApiOperation({
    summary: 'Run a scenario on a snapshot of the twin (off the request; poll GET /runs/{id})',
    description:
      'The run works on the twin as it is now, frozen; it writes nothing but its own record. The seed is recorded: a run with the same seed on the same twin gives the identical result.',
  })
  @ApiZodBody(StartRunSchema, { seed: 7 })
  @Responds(202, StartedSchema, { description: 'Started', example: startedExample })
  @Problems({ ...operatorProblems, 404: ['SCENARIO.NOT_FOUND'], 409: ['TWIN.EMPTY'] })
  @ApiExample(404, 'No such scenario', scenarioNotFound('/runs'))
  @ApiExample(
    409,
    'No input has delivered data yet',
    problem(
      409,
      'TWIN.EMPTY',
      'The twin has no data yet: no input has delivered events',
      'See GET /inputs',
      `/scenarios/${scenarioExample.id}/runs`,
    ),
  )
  run(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new UuidPipe()) id: string,
    @Body(new ZodPipe(StartRunSchema)) body: StartRun,
  ) {
    const services = this.services(principal);
    const run = services.runs.start(services.scenarios.get(id), body);
    return { runId: run.id, status: run.status, progress: run.progress };
  }

  // ------------------------------------------------------------------ runs

  @Get('runs')
  @Authenticated('api')
  @ApiOperation({ summary: 'Every run, with status and progress' })
  @Responds(200, z.array(RunSchema), { description: 'The runs', example: [runExample] })
  @Problems(operatorProblems)
  runs(@CurrentPrincipal() principal: Principal) {
    return this.services(principal).runs.list();
  }

  @Get('runs/:id')
  @Authenticated('api')
  @runParam
  @ApiOperation({ summary: 'A run: status, progress 0..1, its inputs (lineage) and seed' })
  @Responds(200, RunSchema, { description: 'The run', example: runExample })
  @Problems({ ...operatorProblems, 404: ['RUN.NOT_FOUND'] })
  @ApiExample(
    404,
    'No such run',
    problem(
      404,
      'RUN.NOT_FOUND',
      `No run ${runExample.id}`,
      'List runs with GET /runs',
      `/runs/${runExample.id}`,
    ),
  )
  getRun(@CurrentPrincipal() principal: Principal, @Param('id', new UuidPipe()) id: string) {
    return this.services(principal).runs.get(id);
  }

  @Get('runs/:id/events')
  @Authenticated('api')
  @runParam
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary: "A run's progress as it happens (Server-Sent Events), until it is done or failed",
    description:
      'Pushed from the run as it reports progress (not polled). Authenticate with the Bearer token like every call (EventSource cannot send it: read the stream with fetch). Events: `progress` {status, progress, step} on each change, then `done` or `failed` with the final status; then the response ends. A finished run answers its state and final event at once. A `: heartbeat` comment comes every 15 s.',
  })
  @Responds(200, RunEventsSchema, {
    description: 'The event stream',
    mediaType: 'text/event-stream',
    example: runEventsExample,
  })
  @Problems({ ...operatorProblems, 404: ['RUN.NOT_FOUND'] })
  runEvents(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new UuidPipe()) id: string,
    @Res() reply: FastifyReply,
  ): void {
    const runs = this.services(principal).runs;
    runs.get(id); // 404 before the stream starts
    reply.hijack();
    const raw = reply.raw;
    keepStreamOpen(raw);
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
    let ended = false;
    let stop = () => {};
    const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), RUN_EVENTS_HEARTBEAT_MS);
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      stop();
      raw.end();
    };
    raw.on('close', end);
    stop = runs.follow(id, (event) => {
      if (ended) return;
      raw.write(sse(event));
      if (event.event !== 'progress') end();
    });
    if (ended) stop();
  }

  @Get('runs/:id/result')
  @Authenticated('api')
  @runParam
  @ApiOperation({ summary: "A finished run's result, with its main series as chart-ready rows" })
  @Responds(200, ResultSchema, { description: 'The result', example: resultExample })
  @Problems({ ...operatorProblems, 404: ['RUN.NOT_FOUND'], 409: ['RUN.NOT_FINISHED'], 422: ['RUN.FAILED'] })
  @ApiExample(409, 'Still running', notFinished('/result'))
  result(@CurrentPrincipal() principal: Principal, @Param('id', new UuidPipe()) id: string) {
    return this.services(principal).runs.result(id);
  }

  @Get('runs/:id/chart.svg')
  @Authenticated('api')
  @runParam
  @Header('content-type', 'image/svg+xml; charset=utf-8')
  @ApiProduces('image/svg+xml')
  @ApiOperation({ summary: "The run's main series as an SVG chart (vega-lite, rendered headless)" })
  @Responds(200, SvgSchema, { description: 'The chart', mediaType: 'image/svg+xml', example: svgExample })
  @Problems({ ...operatorProblems, 404: ['RUN.NOT_FOUND'], 409: ['RUN.NOT_FINISHED'], 422: ['RUN.FAILED'] })
  @ApiExample(409, 'Still running', notFinished('/chart.svg'))
  async chart(@CurrentPrincipal() principal: Principal, @Param('id', new UuidPipe()) id: string) {
    return renderSvg(this.services(principal).runs.result(id).chart);
  }

  @Post('runs/:id/publish')
  @RateLimited('heavy')
  @Authenticated('api')
  @runParam
  @ApiOperation({
    summary: 'Publish the result as a derived dataset, carrying lineage to its inputs',
    description:
      "Registers (once; a new minor version when inputs are added) a contract owned by the service, governed by all of its inputs' terms: their common purposes, the highest sensitivity, and lineage the policy reads (LINEAGE.INPUT_NOT_VISIBLE for anyone who could not see every input, unless it is an aggregate above k). Then publishes the result through the exchange. Never writes to an input's stream.",
  })
  @ApiZodBody(PublishRunSchema, publishExample)
  @Responds(201, PublishedSchema, { description: 'Published', example: publishedExample })
  @Problems({
    ...operatorProblems,
    403: [...operatorProblems[403], '<upstream refusal>'],
    404: ['RUN.NOT_FOUND'],
    409: [
      'RUN.NOT_FINISHED',
      'DERIVED.NO_INPUTS',
      'DERIVED.INPUT_NOT_HELD',
      'DERIVED.INPUT_DATASET',
      'DERIVED.NO_COMMON_PURPOSE',
      'DERIVED.RESIDENCY_CONFLICT',
    ],
    422: ['RUN.FAILED'],
  })
  @ApiExample(409, 'Still running', notFinished('/publish'))
  @ApiExample(
    409,
    'The inputs share no purpose',
    problem(
      409,
      'DERIVED.NO_COMMON_PURPOSE',
      'The inputs share no purpose: a result built from them could not be used for any',
      'Run the scenario on inputs granted for a common purpose',
      `/runs/${runExample.id}/publish`,
    ),
  )
  publish(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new UuidPipe()) id: string,
    @Body(new ZodPipe(PublishRunSchema)) body: PublishRun,
  ) {
    return this.services(principal).derived.publish(id, body);
  }
}
