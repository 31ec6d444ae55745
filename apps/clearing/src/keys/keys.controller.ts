import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, type Principal } from '@renkei/auth';
import { ApiExample, ApiZodBody, Responds, ZodPipe } from '@renkei/platform';
import {
  keysExample,
  RotateRequestSchema,
  RotationResultSchema,
  rotationExample,
  SigningKeysSchema,
  type RotateRequest,
} from './keys.dto.js';
import { SigningKeyManager } from './signing-key-manager.js';

const scopeProblem = {
  type: 'urn:renkei:error:TOKEN.INSUFFICIENT_SCOPE',
  title: 'TOKEN.INSUFFICIENT_SCOPE',
  status: 403,
  code: 'TOKEN.INSUFFICIENT_SCOPE',
  detail: "This call needs scope 'participants:admin'",
  hint: 'Request a token that carries this scope',
  instance: '/admin/signing-keys/rotate',
};

@ApiTags('signing keys')
@Controller('admin/signing-keys')
export class SigningKeysController {
  constructor(@Inject(SigningKeyManager) private readonly keys: SigningKeyManager) {}

  @Get()
  @Authenticated('api', 'participants:admin')
  @ApiOperation({
    summary: 'The token signing keys: kid, state and times (consortium admin; never any private part)',
    description:
      'next: published, not yet signing; active: signs tokens and audit checkpoints; retiring: published until every token it signed has expired; retired: out of the JWKS, public key kept to verify old checkpoints.',
  })
  @Responds(200, SigningKeysSchema, {
    description: 'The key ring and the rotation settings',
    example: keysExample,
  })
  @ApiExample(403, 'Not the consortium admin', { ...scopeProblem, instance: '/admin/signing-keys' })
  list() {
    const policy = this.keys.settings.policy;
    return {
      keys: this.keys.list(),
      policy: {
        rotateEveryHours: policy.rotateEveryMs / 3_600_000,
        prepublishSeconds: policy.prepublishMs / 1000,
        retiringSeconds: (policy.maxTokenTtlMs + policy.graceMs) / 1000,
        checkIntervalSeconds: this.keys.settings.checkIntervalMs / 1000,
      },
      nextChangeAt: this.keys.nextChangeAt()?.toISOString() ?? null,
    };
  }

  @Post('rotate')
  @HttpCode(202)
  @Authenticated('api', 'participants:admin')
  @ApiOperation({
    summary: 'Rotate the token signing key now (consortium admin)',
    description:
      'Creates a new key, published in the JWKS at once and signing after the pre-publication delay; the current key then retires and stays published until its last token has expired. If a new key is already pending, it is brought forward when the requested delay is shorter (result rescheduled), else left as it is (result pending).',
  })
  @ApiZodBody(RotateRequestSchema, { activateAfterSeconds: 600 })
  @Responds(202, RotationResultSchema, { description: 'The rotation is under way', example: rotationExample })
  @ApiExample(403, 'Not the consortium admin', scopeProblem)
  rotate(@CurrentPrincipal() actor: Principal, @Body(new ZodPipe(RotateRequestSchema)) body: RotateRequest) {
    return this.keys.rotate(
      actor.participantId,
      body.activateAfterSeconds === undefined ? undefined : body.activateAfterSeconds * 1000,
    );
  }
}
