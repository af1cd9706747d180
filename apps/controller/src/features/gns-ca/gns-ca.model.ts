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
  description: 'Where a root stands in the rotation.',
  valuesMap: {
    ACTIVE: { description: 'The one root outside a rotation.' },
    INCOMING: { description: 'The new root during a rotation.' },
    RETIRING: { description: 'The old root during a rotation.' },
    RETIRED: { description: 'Out of every trust bundle; its key can be destroyed.' },
  },
});
registerEnumType(RotationStage, {
  name: 'CaRotationStage',
  description: 'The stage of a root rotation (docs/certificate-authority.md).',
  valuesMap: {
    IDLE: { description: 'No rotation.' },
    TRUST_BOTH: { description: 'Every cluster is given both roots to trust.' },
    ISSUING_NEW: { description: 'Clusters get intermediates signed by the new root.' },
    DROP_OLD: { description: 'The old root leaves the trust bundles.' },
  },
});
registerEnumType(IntermediateState, {
  name: 'IntermediateState',
  description: "The state of a cluster's intermediate certificate.",
  valuesMap: {
    PENDING: { description: 'Asked for; no certificate from this root generation yet.' },
    SIGNED: { description: 'Signed and not due for renewal.' },
    EXPIRING: { description: 'Signed, past its renewal point; a renewal is asked for.' },
    EXPIRED: { description: 'Past notAfter.' },
    ERROR: { description: 'The last CSR was refused (see lastError) and no certificate is usable.' },
  },
});

@ObjectType({ description: 'A root certificate of the Global Namespace CA.' })
export class CaRoot {
  @ApiProperty() @Field(() => Int, { description: 'Counts up with every rotation.' }) generation!: number;
  @ApiProperty({ example: 'AB:CD:…' })
  @Field({ description: 'SHA-256 of the DER certificate, colon-separated hex.' })
  fingerprintSha256!: string;
  @ApiProperty() @Field({ description: 'The certificate subject.' }) subject!: string;
  @ApiProperty() @Field(() => DateTimeScalar, { description: 'Valid from.' }) notBefore!: Date;
  @ApiProperty() @Field(() => DateTimeScalar, { description: 'Valid until.' }) notAfter!: Date;
  @ApiProperty({ enum: Object.values(ROOT_STATES) })
  @Field(() => ROOT_STATES, { description: 'Where it stands in the rotation.' })
  state!: RootState;
  @ApiProperty({ description: 'in the trust bundle of the current stage' })
  @Field({ description: 'In the trust bundle of the current stage.' })
  trusted!: boolean;
  @ApiProperty({ description: 'signs new and renewed intermediates in the current stage' })
  @Field({ description: 'Signs new and renewed intermediates in the current stage.' })
  issuing!: boolean;
}

/*
 * REST shows the rotation times as ISO strings; GraphQL as DateTime (the scalar serialises an
 * RFC 3339 string as it is), so the TypeScript types stay the REST ones.
 */

@ObjectType({ description: 'What a rotation waits for before its next stage.' })
export class CaRotationWait {
  @ApiProperty() @Field({ description: 'What is awaited, in words.' }) reason!: string;
  @ApiProperty({ type: [String] })
  @Field(() => [ID], { description: 'The clusters awaited (empty when waiting on time).' })
  clusterIds!: string[];
  @ApiProperty({ nullable: true, type: String, description: 'when waiting on time (old leaves expiring)' })
  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When waiting on time (old leaves expiring): the earliest time to move on.',
  })
  earliestAt!: string | null;
  @ApiProperty()
  @Field(() => DateTimeScalar, { description: 'When this was last checked.' })
  checkedAt!: string;
}

@ObjectType({ description: 'A root rotation: its stage and what it waits for.' })
export class CaRotation {
  @ApiProperty({ enum: Object.values(RotationStage) })
  @Field(() => RotationStage, { description: 'The current stage.' })
  stage!: RotationStage;
  @ApiProperty()
  @Field(() => Int, { description: 'The generation of the root in use.' })
  currentRootGeneration!: number;
  @ApiProperty({ nullable: true, type: Number })
  @Field(() => Int, { nullable: true, description: 'The generation of the incoming root; null when idle.' })
  nextRootGeneration!: number | null;
  @ApiProperty()
  @Field(() => DateTimeScalar, { description: 'When the current stage began.' })
  stageEnteredAt!: string;
  @ApiProperty({ nullable: true, type: String })
  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When every cluster ran an intermediate of the new root; null until then.',
  })
  allClustersMovedAt!: string | null;
  @ApiProperty({ description: 'how long DROP_OLD waits after every cluster moved' })
  @Field(() => Int, { description: 'How long DROP_OLD waits after every cluster moved, in seconds.' })
  maxWorkloadCertTtlSeconds!: number;
  @ApiProperty({ nullable: true, type: CaRotationWait })
  @Field(() => CaRotationWait, {
    nullable: true,
    description: 'What the next stage waits for; null when idle.',
  })
  waitingFor!: CaRotationWait | null;
}

@ObjectType({ description: "A member cluster's intermediate CA certificate, signed by the GNS root." })
export class ClusterIntermediate {
  @ApiProperty() @Field(() => ID, { description: 'The cluster id.' }) clusterId!: string;
  @ApiProperty() @Field({ description: 'The cluster name.' }) clusterName!: string;
  @ApiProperty()
  @Field(() => Int, { description: 'The generation of the root it chains to.' })
  rootGeneration!: number;
  @ApiProperty({ enum: Object.values(IntermediateState) })
  @Field(() => IntermediateState, { description: 'Asked for, signed, expiring, expired or refused.' })
  state!: IntermediateState;
  @ApiProperty({ nullable: true, type: String })
  @Field(() => String, { nullable: true, description: 'SHA-256 of the certificate; null until signed.' })
  fingerprintSha256!: string | null;
  @ApiProperty({ nullable: true, type: String })
  @Field(() => DateTimeScalar, { nullable: true, description: 'Valid until; null until signed.' })
  notAfter!: Date | null;
  @ApiProperty({ nullable: true, type: String, description: 'renewal is asked for from then on' })
  @Field(() => DateTimeScalar, { nullable: true, description: 'Renewal is asked for from then on.' })
  renewAt!: Date | null;
  @ApiProperty({ nullable: true, type: String })
  @Field(() => DateTimeScalar, { nullable: true, description: 'When a CSR was last asked for.' })
  requestedAt!: Date | null;
  @ApiProperty({ nullable: true, type: String })
  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was signed.' })
  signedAt!: Date | null;
  @ApiProperty({ nullable: true, type: String, description: 'why the last CSR was refused' })
  @Field(() => String, { nullable: true, description: 'Why the last CSR was refused; null if it was not.' })
  lastError!: string | null;
}

@ObjectType({ description: 'The certificate authority of a Global Namespace (public material only).' })
export class GnsCa implements GnsCaStatus {
  @ApiProperty() @Field(() => ID, { description: 'The Global Namespace id.' }) gnsId!: string;
  @ApiProperty({ description: 'SPIFFE trust domain (the GNS domain)' })
  @Field({ description: 'SPIFFE trust domain (the GNS domain).' })
  trustDomain!: string;
  @ApiProperty({ description: 'PEM of the roots trusted now' })
  @Field({ description: 'PEM of the roots trusted now.' })
  trustBundlePem!: string;
  @ApiProperty({ type: [CaRoot] })
  @Field(() => [CaRoot], { description: 'Current and past roots.' })
  roots!: CaRoot[];
  @ApiProperty({ nullable: true, type: CaRotation })
  @Field(() => CaRotation, { nullable: true, description: 'The rotation state; null before the first.' })
  rotation!: CaRotation | null;
  @ApiProperty({ type: [ClusterIntermediate] })
  @Field(() => [ClusterIntermediate], { description: 'The intermediate of each member cluster.' })
  intermediates!: ClusterIntermediate[];
}
