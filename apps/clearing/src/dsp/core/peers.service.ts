import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { badRequest, CLOCK, notFound, PlatformProjection, type Clock } from '@renkei/domain';
import { PrismaClient, type DspPeerModel as DspPeer } from '@renkei/persistence';
import { syncFor, type ProjectionSync } from '@renkei/policy';
import { appendAudit } from '../../audit/audit-log.js';
import { PROJECTION_SYNC } from '../../core/clearing-core.module.js';
import { DspSettings } from './dsp-settings.js';
import { callPeer, checkOutgoingUrl, PeerCallError } from './outgoing.js';
import type { PeerDto, RegisterPeer } from './peers.dto.js';

const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** A token is used until this long before it expires. */
const REFRESH_BEFORE_MS = 30_000;

const toDto = (p: DspPeer): PeerDto => ({
  participantId: p.participantId,
  address: p.address,
  tokenUrl: p.tokenUrl,
  remoteParticipantId: p.remoteParticipantId,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

/**
 * The peer connectors the consortium admin registered, and the tokens clearing gets at them: with a
 * tokenUrl, an RFC 7523 assertion signed with the connector key (iss = sub = who we are there, aud = the
 * token URL), the token cached until shortly before it expires; without one, calls carry no Authorization.
 */
@Injectable()
export class DspPeers {
  private readonly tokens = new Map<string, { token: string; until: number }>();

  constructor(
    @Inject(PrismaClient) private readonly prisma: PrismaClient,
    @Inject(PlatformProjection) private readonly state: PlatformProjection,
    @Inject(PROJECTION_SYNC) private readonly sync: ProjectionSync,
    @Inject(DspSettings) private readonly settings: DspSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async register(actorId: string, input: RegisterPeer): Promise<PeerDto> {
    await syncFor(this.sync, () => this.state.participants.has(input.participantId));
    if (!this.state.participants.has(input.participantId))
      throw notFound(
        'PARTICIPANT.NOT_FOUND',
        `No participant ${input.participantId}`,
        'Onboard the peer connector as a participant first (its own key), then register it as a peer',
      );
    checkOutgoingUrl(input.address, this.settings);
    if (input.tokenUrl) {
      checkOutgoingUrl(input.tokenUrl, this.settings);
      if (!input.remoteParticipantId)
        throw badRequest('REQUEST.INVALID', 'A peer with a tokenUrl needs remoteParticipantId', [
          { path: '/remoteParticipantId', message: 'required with tokenUrl' },
        ]);
    }
    const now = this.clock.now();
    const row = await this.prisma.$transaction(async (tx) => {
      const data = {
        address: input.address,
        tokenUrl: input.tokenUrl,
        remoteParticipantId: input.remoteParticipantId,
        updatedAt: now,
      };
      const saved = await tx.dspPeer.upsert({
        where: { participantId: input.participantId },
        create: { participantId: input.participantId, ...data, createdAt: now },
        update: data,
      });
      await appendAudit(tx, [
        {
          kind: 'dsp.peer.changed',
          at: now,
          actorId,
          dataset: null,
          grantId: null,
          allow: null,
          payload: { peer: saved.participantId, address: saved.address, tokenUrl: saved.tokenUrl },
        },
      ]);
      return saved;
    });
    this.tokens.delete(row.participantId);
    return toDto(row);
  }

  async list(): Promise<PeerDto[]> {
    const rows = await this.prisma.dspPeer.findMany({ orderBy: { createdAt: 'asc' }, take: 1000 });
    return rows.map(toDto);
  }

  find(participantId: string): Promise<DspPeer | null> {
    return this.prisma.dspPeer.findUnique({ where: { participantId } });
  }

  /** The peer, or 404 DSP.PEER_NOT_FOUND. */
  async get(participantId: string): Promise<DspPeer> {
    const peer = await this.find(participantId);
    if (!peer)
      throw notFound(
        'DSP.PEER_NOT_FOUND',
        `No peer connector registered for participant ${participantId}`,
        'The consortium admin registers peers with POST /connector/peers',
      );
    return peer;
  }

  /** The connector's public key (what a peer registers for this Renkei). */
  publicKeys(): { keys: Record<string, unknown>[] } {
    const key = this.settings.connectorKey;
    return { keys: key ? [key.publicJwk] : [] };
  }

  /** Forget a cached token (the peer refused it). */
  forgetToken(participantId: string): void {
    this.tokens.delete(participantId);
  }

  /** The Authorization header for a call to this peer, or null when the peer needs none (no tokenUrl). */
  async authorization(participantId: string | null): Promise<string | null> {
    if (!participantId) return null;
    const peer = await this.find(participantId);
    if (!peer?.tokenUrl) return null;
    const cached = this.tokens.get(participantId);
    const now = Date.now();
    if (cached && cached.until > now) return `Bearer ${cached.token}`;
    const key = this.settings.connectorKey;
    if (!key)
      throw new PeerCallError(
        'no connector key is configured (CONNECTOR_KEY_FILE or CONNECTOR_KEY): no token can be got at the peer',
        'refused',
      );
    const me = peer.remoteParticipantId ?? '';
    const issuedAt = Math.floor(now / 1000);
    const assertion = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
      .setIssuer(me)
      .setSubject(me)
      .setAudience(peer.tokenUrl)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + 120)
      .sign(key.privateKey);
    const answer = await callPeer(
      peer.tokenUrl,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: me,
          client_assertion_type: CLIENT_ASSERTION_TYPE,
          client_assertion: assertion,
        }).toString(),
        timeoutMs: this.settings.callTimeoutMs,
      },
      this.settings,
    );
    const body = answer.json as { access_token?: unknown; expires_in?: unknown } | undefined;
    if (answer.status !== 200 || typeof body?.access_token !== 'string')
      throw new PeerCallError(`the peer's token endpoint answered ${answer.status}`, 'connection');
    const ttlMs = (typeof body.expires_in === 'number' ? body.expires_in : 300) * 1000;
    this.tokens.set(participantId, {
      token: body.access_token,
      until: now + Math.max(ttlMs - REFRESH_BEFORE_MS, 1000),
    });
    return `Bearer ${body.access_token}`;
  }
}
