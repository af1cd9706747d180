import { Field, Float, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { TopServicesOrder as TopServicesOrderValue } from './telemetry-query.service';
import { DateTimeScalar } from '../../platform/graphql/date-time.model';

const TOP_SERVICES_ORDERS = {
  ERROR_RATE: 'ERROR_RATE',
  LATENCY_P99: 'LATENCY_P99',
} as const satisfies Record<TopServicesOrderValue, TopServicesOrderValue>;
registerEnumType(TOP_SERVICES_ORDERS, {
  name: 'TopServicesOrder',
  description: 'What topServices ranks by, highest first.',
  valuesMap: {
    ERROR_RATE: { description: 'The fraction of requests that failed.' },
    LATENCY_P99: { description: 'The 99th percentile latency.' },
  },
});
export const TopServicesOrder = TOP_SERVICES_ORDERS;

/** The traffic numbers every telemetry answer carries. */
@ObjectType({ isAbstract: true })
abstract class Traffic {
  @Field(() => Float, { description: 'Requests counted.' })
  requests!: number;

  @Field(() => Float, { description: 'Requests that failed (5xx, or gRPC errors).' })
  errors!: number;

  @Field(() => Float, { description: 'Requests per second.' })
  requestRate!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Fraction of requests that failed (0..1); null without requests.',
  })
  errorRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Median latency in milliseconds (within 1 %).' })
  p50!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: '90th percentile latency in milliseconds (within 1 %).',
  })
  p90!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: '99th percentile latency in milliseconds (within 1 %).',
  })
  p99!: number | null;
}

@ObjectType({ description: 'Traffic to a service during [timestamp, timestamp + step).' })
export class ServiceMetricsPoint extends Traffic {
  @Field(() => DateTimeScalar, { description: 'The start of the step.' })
  timestamp!: Date;
}

@ObjectType({ description: 'A service in the cluster it runs in; its numbers are the traffic it received.' })
export class TopologyNode extends Traffic {
  @Field(() => ID, { description: 'Identifies the node in this answer (edges refer to it).' })
  id!: string;

  @Field(() => ID, {
    description: 'Empty for a caller in a cluster the mesh names but Lattice has not registered.',
  })
  clusterId!: string;

  @Field({ description: "The cluster's name (for an unregistered cluster, the mesh's name of it)." })
  clusterName!: string;

  @Field({ description: 'The Kubernetes namespace.' })
  namespace!: string;

  @Field({ description: 'The Kubernetes service name.' })
  service!: string;

  @Field({
    description:
      'In a member (cluster, namespace) of the Global Namespace; false for outside callers and callees.',
  })
  member!: boolean;
}

@ObjectType({
  description: 'Calls from one service to another, each counted once, by the cluster that received them.',
})
export class TopologyEdge extends Traffic {
  @Field(() => ID, { description: 'The calling node.' })
  sourceId!: string;

  @Field(() => ID, { description: 'The called node.' })
  destinationId!: string;

  @Field(() => ID, { description: "The cluster that reported the calls: the destination's." })
  clusterId!: string;
}

@ObjectType({ description: 'The services of a Global Namespace and the calls between them.' })
export class Topology {
  @Field(() => [TopologyNode], { description: 'Services per cluster.' })
  nodes!: TopologyNode[];

  @Field(() => [TopologyEdge], { description: 'Calls between them.' })
  edges!: TopologyEdge[];
}

@ObjectType({ description: 'A Global Namespace service, merged over its member clusters and namespaces.' })
export class TopService extends Traffic {
  @Field({ description: 'The Kubernetes service name.' })
  service!: string;
}
