import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { IntermediateState, RotationStage } from '@lattice/pki';
import type { GnsCaStatus, RootState } from './gns-ca.service';
import { DateTimeScalar } from '../../platform/graphql/date-time.model';

/*
 * One shape for REST (OpenAPI) and GraphQL: the CA status is read-only, and both transports show
 * exactly the same fields. Certificates and fingerprints only; no type here can hold a key.
 */

const ROOT_STATES = {
  ACTIVE: 'ACTIVE',
  INCOMING: 'INCOMING',
  RETIRING: 'RETIRING',
  RETIRED: 'RETIRED',
} as const;
registerEnumType(ROOT_STATES, {
  name: 'CaRootState',
  description: 'ACTIVE outside a rotation; INCOMING/RETIRING during one; RETIRED once out of every bundle',
});
registerEnumType(RotationStage, { name: 'CaRotationStage' });
registerEnumType(IntermediateState, { name: 'IntermediateState' });

@ObjectType()
export class CaRoot {
  @ApiProperty() @Field(() => Int) generation!: number;
  @ApiProperty({ example: 'AB:CD:…' }) @Field() fingerprintSha256!: string;
  @ApiProperty() @Field() subject!: string;
  @ApiProperty() @Field(() => DateTimeScalar) notBefore!: Date;
  @ApiProperty() @Field(() => DateTimeScalar) notAfter!: Date;
  @ApiProperty({ enum: Object.values(ROOT_STATES) }) @Field(() => ROOT_STATES) state!: RootState;
  @ApiProperty({ description: 'in the trust bundle of the current stage' }) @Field() trusted!: boolean;
  @ApiProperty({ description: 'signs new and renewed intermediates in the current stage' })
  @Field()
  issuing!: boolean;
}

@ObjectType()
export class CaRotationWait {
  @ApiProperty() @Field() reason!: string;
  @ApiProperty({ type: [String] }) @Field(() => [ID]) clusterIds!: string[];
  @ApiProperty({ nullable: true, type: String, description: 'when waiting on time (old leaves expiring)' })
  @Field(() => String, { nullable: true })
  earliestAt!: string | null;
  @ApiProperty() @Field() checkedAt!: string;
}

@ObjectType()
export class CaRotation {
  @ApiProperty({ enum: Object.values(RotationStage) }) @Field(() => RotationStage) stage!: RotationStage;
  @ApiProperty() @Field(() => Int) currentRootGeneration!: number;
  @ApiProperty({ nullable: true, type: Number }) @Field(() => Int, { nullable: true }) nextRootGeneration!:
    number | null;
  @ApiProperty() @Field() stageEnteredAt!: string;
  @ApiProperty({ nullable: true, type: String })
  @Field(() => String, { nullable: true })
  allClustersMovedAt!: string | null;
  @ApiProperty({ description: 'how long DROP_OLD waits after every cluster moved' })
  @Field(() => Int)
  maxWorkloadCertTtlSeconds!: number;
  @ApiProperty({ nullable: true, type: CaRotationWait })
  @Field(() => CaRotationWait, { nullable: true })
  waitingFor!: CaRotationWait | null;
}

@ObjectType()
export class ClusterIntermediate {
  @ApiProperty() @Field(() => ID) clusterId!: string;
  @ApiProperty() @Field() clusterName!: string;
  @ApiProperty() @Field(() => Int) rootGeneration!: number;
  @ApiProperty({ enum: Object.values(IntermediateState) })
  @Field(() => IntermediateState)
  state!: IntermediateState;
  @ApiProperty({ nullable: true, type: String }) @Field(() => String, { nullable: true }) fingerprintSha256!:
    string | null;
  @ApiProperty({ nullable: true, type: String })
  @Field(() => DateTimeScalar, { nullable: true })
  notAfter!: Date | null;
  @ApiProperty({ nullable: true, type: String, description: 'renewal is asked for from then on' })
  @Field(() => DateTimeScalar, { nullable: true })
  renewAt!: Date | null;
  @ApiProperty({ nullable: true, type: String })
  @Field(() => DateTimeScalar, { nullable: true })
  requestedAt!: Date | null;
  @ApiProperty({ nullable: true, type: String })
  @Field(() => DateTimeScalar, { nullable: true })
  signedAt!: Date | null;
  @ApiProperty({ nullable: true, type: String, description: 'why the last CSR was refused' })
  @Field(() => String, { nullable: true })
  lastError!: string | null;
}

@ObjectType({ description: 'The certificate authority of a Global Namespace (public material only).' })
export class GnsCa implements GnsCaStatus {
  @ApiProperty() @Field(() => ID) gnsId!: string;
  @ApiProperty({ description: 'SPIFFE trust domain (the GNS domain)' }) @Field() trustDomain!: string;
  @ApiProperty({ description: 'PEM of the roots trusted now' }) @Field() trustBundlePem!: string;
  @ApiProperty({ type: [CaRoot] }) @Field(() => [CaRoot]) roots!: CaRoot[];
  @ApiProperty({ nullable: true, type: CaRotation })
  @Field(() => CaRotation, { nullable: true })
  rotation!: CaRotation | null;
  @ApiProperty({ type: [ClusterIntermediate] })
  @Field(() => [ClusterIntermediate])
  intermediates!: ClusterIntermediate[];
}
