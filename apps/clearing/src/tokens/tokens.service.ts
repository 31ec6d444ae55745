import { Inject, Injectable } from '@nestjs/common';
import { decodeJwt, type JWK } from 'jose';
import {
  CLOCK,
  PlatformProjection,
  badRequest,
  forbidden,
  notFound,
  unauthenticated,
  type Clock,
  type GrantView,
  type ParticipantRole,
} from '@renkei/domain';
import { TokenIssuer, verifyClientAssertion, type Principal } from '@renkei/auth';
import { Prisma, PrismaClient } from '@renkei/persistence';
import { PolicyGate, denied, syncFor, type ProjectionSync } from '@renkei/policy';
import { appendAudit, decisionEntry } from '../audit/audit-log.js';
import { ClearingSettings } from '../core/clearing-settings.js';
import { PROJECTION_SYNC } from '../core/clearing-core.module.js';
import { GrantAccess } from '../grants/grant-access.js';
import { toView as grantView } from '../grants/grant-view.js';
import { inputVisibility } from '../grants/input-grants.js';
import type { DatasetTokenRequest, TokenRequest, TokenResponse } from './tokens.dto.js';

/** The consortium admin's bootstrap identity: its key comes from configuration, not from the registry. */
export const ADMIN_ID = 'consortium-admin';

const scopesByRole: Record<ParticipantRole, string[]> = {
  member: ['contracts:write', 'grants:read', 'grants:write', 'datasets:token'],
  compliance: ['audit:read'],
  admin: ['participants:admin', 'audit:read'],
};

@Injectable()
export class TokensService {
  constructor(
    @Inject(PrismaClient) private readonly prisma: PrismaClient,
    @Inject(PlatformProjection) private readonly state: PlatformProjection,
    @Inject(PROJECTION_SYNC) private readonly sync: ProjectionSync,
    @Inject(PolicyGate) private readonly gate: PolicyGate,
    @Inject(GrantAccess) private readonly grants: GrantAccess,
    @Inject(TokenIssuer) private readonly issuer: TokenIssuer,
    @Inject(ClearingSettings) private readonly settings: ClearingSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  jwks(): { keys: JWK[] } {
    return this.issuer.jwks;
  }

  /** Client credentials with a private_key_jwt assertion; the jti is burnt before the token is issued. */
  async platformToken(req: TokenRequest): Promise<TokenResponse> {
    let claimedId: string | undefined;
    try {
      claimedId = decodeJwt(req.client_assertion).iss;
    } catch {
      throw unauthenticated('AUTH.INVALID_CLIENT_ASSERTION', 'The client assertion is not a JWT');
    }
    if (!claimedId || (req.client_id && req.client_id !== claimedId)) {
      throw unauthenticated(
        'AUTH.INVALID_CLIENT_ASSERTION',
        'The assertion issuer must be your participant id (and match client_id)',
      );
    }
    // A participant onboarded a moment ago, or just suspended, is known here before we decide.
    await syncFor(this.sync, () => claimedId === ADMIN_ID || this.state.participants.has(claimedId));
    const { jwks, roles } = this.client(claimedId);
    const { jti, exp } = await verifyClientAssertion(
      req.client_assertion,
      claimedId,
      jwks as { keys: JWK[] },
      this.settings.assertionAudiences,
      this.clock,
    );
    const allowed = [...new Set(roles.flatMap((r) => scopesByRole[r]))];
    const requested = req.scope ? req.scope.split(' ').filter(Boolean) : allowed;
    const widened = requested.filter((s) => !allowed.includes(s));
    if (widened.length > 0) {
      throw forbidden(
        'TOKEN.SCOPE_NOT_ALLOWED',
        `Scopes not allowed for your roles: ${widened.join(', ')}`,
        `Allowed: ${allowed.join(', ')}`,
      );
    }
    const now = this.clock.now();
    const { token, claims } = await this.issuer.issue({
      subject: claimedId,
      audience: 'api',
      scopes: requested,
      ttlSeconds: this.settings.platformTokenTtlSeconds,
    });
    try {
      await this.prisma.$transaction(async (tx) => {
        // An expired assertion is refused by its exp claim, so its id need not be kept any longer.
        await tx.usedAssertion.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - 60_000) } } });
        await tx.usedAssertion.create({
          data: { jti: `${claimedId}:${jti}`, participantId: claimedId, expiresAt: new Date(exp * 1000) },
        });
        await appendAudit(tx, [
          {
            kind: 'token.issued',
            at: now,
            actorId: claimedId,
            dataset: null,
            grantId: null,
            allow: true,
            payload: {
              jti: claims.jti,
              aud: claims.aud,
              scope: claims.scope,
              exp: claims.exp,
              assertionJti: jti,
            },
          },
        ]);
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw unauthenticated(
          'AUTH.ASSERTION_REPLAYED',
          'This client assertion was already used',
          'Sign a new assertion with a fresh jti for every token request',
        );
      }
      throw error;
    }
    return {
      access_token: token,
      token_type: 'Bearer',
      expires_in: this.settings.platformTokenTtlSeconds,
      scope: claims.scope,
    };
  }

  /** A short-lived token for the exchange, scoped to one dataset and action, issued only if the policy allows. */
  async datasetToken(actor: Principal, req: DatasetTokenRequest): Promise<TokenResponse> {
    await syncFor(this.sync, () => this.state.currentContract(req.dataset) !== undefined);
    if (!this.state.currentContract(req.dataset)) {
      throw notFound('CONTRACT.NOT_FOUND', `No active contract for dataset '${req.dataset}'`);
    }
    let grant: GrantView | null = null;
    if (req.action === 'subscribe') {
      if (!req.grantId)
        throw badRequest('REQUEST.INVALID', 'Subscribing needs the grant you hold', [
          { path: '/grantId', message: 'required when action is subscribe' },
        ]);
      grant = grantView(await this.grants.ofParty(actor, req.grantId));
    }
    const now = this.clock.now();
    const consumerInputs =
      req.action === 'publish'
        ? undefined
        : await inputVisibility(this.prisma, this.state, actor.participantId, req.dataset, now);
    const { result, record } = this.gate.decide({
      action: req.action === 'publish' ? 'publish' : 'token.issue',
      subjectId: actor.participantId,
      dataset: req.dataset,
      grant,
      purpose: grant?.purpose ?? null,
      now,
      ...(consumerInputs ? { consumerInputs } : {}),
    });
    const scope = `${req.action}:${req.dataset}`;
    const issued = result.allow
      ? await this.issuer.issue({
          subject: actor.participantId,
          audience: 'exchange',
          scopes: [scope],
          ttlSeconds: this.settings.datasetTokenTtlSeconds,
          dataset: req.dataset,
          ...(grant ? { grant: grant.id, purpose: grant.purpose } : {}),
        })
      : null;
    await this.prisma.$transaction(async (tx) => {
      await appendAudit(tx, [
        decisionEntry(record),
        ...(issued
          ? [
              {
                kind: 'token.issued' as const,
                at: now,
                actorId: actor.participantId,
                dataset: req.dataset,
                grantId: grant?.id ?? null,
                allow: true,
                payload: {
                  jti: issued.claims.jti,
                  aud: issued.claims.aud,
                  scope,
                  exp: issued.claims.exp,
                  decisionId: record.decisionId,
                },
              },
            ]
          : []),
      ]);
    });
    if (!issued) throw denied(result, `A ${req.action} token for '${req.dataset}'`);
    return {
      access_token: issued.token,
      token_type: 'Bearer',
      expires_in: this.settings.datasetTokenTtlSeconds,
      scope,
    };
  }

  /**
   * A subscribe token for a Dataspace Protocol transfer (the `authorization` of its data address): issued
   * to the grant's consumer (the peer connector) under the grant, bound to the transfer (claim `tid`), so
   * the exchange honours it only while the transfer is started with this very token. The policy decides it
   * like any dataset token; the decision and the issue go on the audit chain in the caller's transaction
   * (the transfer's move to STARTED). Lives DSP_TRANSFER_TOKEN_TTL_S (default: the longest platform token;
   * key rotation keeps its key published that long).
   */
  async transferToken(
    tx: Prisma.TransactionClient,
    grant: GrantView,
    transferId: string,
    now: Date,
  ): Promise<
    | { allow: true; token: string; jti: string; expiresIn: number; scope: string }
    | { allow: false; reason: string }
  > {
    const consumerInputs = await inputVisibility(this.prisma, this.state, grant.consumer, grant.dataset, now);
    const { result, record } = this.gate.decide({
      action: 'token.issue',
      subjectId: grant.consumer,
      dataset: grant.dataset,
      grant,
      purpose: grant.purpose,
      now,
      ...(consumerInputs ? { consumerInputs } : {}),
    });
    const ttlSeconds = this.settings.transferTokenTtlSeconds;
    const scope = `subscribe:${grant.dataset}`;
    const issued = result.allow
      ? await this.issuer.issue({
          subject: grant.consumer,
          audience: 'exchange',
          scopes: [scope],
          ttlSeconds,
          dataset: grant.dataset,
          grant: grant.id,
          purpose: grant.purpose,
          transfer: transferId,
        })
      : null;
    await appendAudit(tx, [
      decisionEntry(record),
      ...(issued
        ? [
            {
              kind: 'token.issued' as const,
              at: now,
              actorId: grant.consumer,
              dataset: grant.dataset,
              grantId: grant.id,
              allow: true,
              payload: {
                jti: issued.claims.jti,
                aud: issued.claims.aud,
                scope,
                exp: issued.claims.exp,
                transfer: transferId,
                decisionId: record.decisionId,
              },
            },
          ]
        : []),
    ]);
    if (!issued) return { allow: false, reason: result.reasons[0] ?? 'POLICY.DENIED' };
    return { allow: true, token: issued.token, jti: issued.claims.jti, expiresIn: ttlSeconds, scope };
  }

  /**
   * A publish token for a member on its own dataset, asked for by clearing itself on the member's behalf
   * (a DSP transfer delivering received data into that dataset): the same policy decision (`publish`) and
   * audit entries as POST /tokens/dataset.
   */
  async publishTokenFor(memberId: string, dataset: string): Promise<TokenResponse> {
    return this.datasetToken(
      {
        participantId: memberId,
        scopes: new Set(['datasets:token']),
        claims: { sub: memberId, scope: 'datasets:token', jti: 'internal' },
      },
      { dataset, action: 'publish' },
    );
  }

  private client(id: string): { jwks: { keys: unknown[] }; roles: ParticipantRole[] } {
    if (id === ADMIN_ID) {
      if (!this.settings.adminJwks)
        throw unauthenticated('AUTH.UNKNOWN_CLIENT', 'No consortium admin key is configured');
      return { jwks: this.settings.adminJwks, roles: ['admin'] };
    }
    const participant = this.state.participants.get(id);
    if (!participant)
      throw unauthenticated(
        'AUTH.UNKNOWN_CLIENT',
        'Unknown client',
        'Ask the consortium admin to onboard you; use your participant id as iss and sub',
      );
    if (participant.status !== 'active')
      throw forbidden(
        'PARTICIPANT.SUSPENDED',
        `Your participation is ${participant.status === 'pending' ? 'not active yet' : participant.status}`,
        participant.status === 'offboarded'
          ? 'Offboarding is final: it cannot be undone'
          : 'Contact the consortium admin',
      );
    return { jwks: participant.jwks, roles: participant.roles };
  }
}
