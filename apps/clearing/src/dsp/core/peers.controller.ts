import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Authenticated, CurrentPrincipal, type Principal } from '@renkei/auth';
import { ApiZodBody, Problems, Responds, ZodPipe } from '@renkei/platform';
import {
  ConnectorKeySchema,
  PeerSchema,
  peerExample,
  RegisterPeerSchema,
  type RegisterPeer,
} from './peers.dto.js';
import { DspPeers } from './peers.service.js';

@ApiTags('connector')
@Controller('connector')
export class PeersController {
  constructor(private readonly peers: DspPeers) {}

  @Post('peers')
  @Authenticated('api', 'participants:admin')
  @ApiOperation({
    summary: 'Register (or update) a peer DSP connector (consortium admin)',
    description:
      'The peer is a participant onboarded with its own key; here its protocol URL and, when its calls need a token, its token endpoint and who this Renkei is there. Addresses must be https on public hosts (http on loopback only where DSP_ALLOW_INSECURE_LOOPBACK is set).',
  })
  @ApiZodBody(RegisterPeerSchema, {
    participantId: peerExample.participantId,
    address: peerExample.address,
    tokenUrl: peerExample.tokenUrl,
    remoteParticipantId: peerExample.remoteParticipantId,
  })
  @Responds(201, PeerSchema, { description: 'The peer as registered', example: peerExample })
  @Problems({ 400: ['DSP.ADDRESS_NOT_ALLOWED', 'REQUEST.INVALID'], 404: ['PARTICIPANT.NOT_FOUND'] })
  register(@CurrentPrincipal() actor: Principal, @Body(new ZodPipe(RegisterPeerSchema)) body: RegisterPeer) {
    return this.peers.register(actor.participantId, body);
  }

  @Get('peers')
  @Authenticated('api', 'participants:admin')
  @ApiOperation({ summary: 'The registered peer DSP connectors (consortium admin)' })
  @Responds(200, z.array(PeerSchema), { description: 'The peers', example: [peerExample] })
  list() {
    return this.peers.list();
  }

  @Get('key')
  @ApiOperation({
    summary: "This connector's public key (JWKS): what a peer registers to accept this Renkei's assertions",
  })
  @Responds(200, ConnectorKeySchema, { description: 'The connector key', example: { keys: [] } })
  key() {
    return this.peers.publicKeys();
  }
}
