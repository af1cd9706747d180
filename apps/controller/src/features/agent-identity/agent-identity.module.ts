import { Global, Module } from '@nestjs/common';
import { AgentIdentityCaService } from './agent-identity-ca.service';

@Global()
@Module({ providers: [AgentIdentityCaService], exports: [AgentIdentityCaService] })
export class AgentIdentityModule {}
