import { Module } from '@nestjs/common';
import { AgentIdentityCaService } from './agent-identity-ca.service';
import { AgentIdentityRepository } from './agent-identity.repository';

/** The controller-internal CA of agent identities (agent client certificates, gRPC serving certificate). */
@Module({ providers: [AgentIdentityRepository, AgentIdentityCaService], exports: [AgentIdentityCaService] })
export class AgentIdentityModule {}
