import { graphql } from '../gql';

export const OverviewQuery = graphql(`
  query Overview($after: String) {
    globalNamespaces(first: 20, after: $after) {
      pageInfo {
        endCursor
        hasNextPage
      }
      nodes {
        id
        name
        status {
          serviceCount
          conflicts {
            kind
            reason
          }
          warnings {
            kind
            reason
          }
        }
      }
    }
  }
`);

export const SlosQuery = graphql(`
  query Slos($gnsId: ID, $after: String) {
    slos(gnsId: $gnsId, first: 20, after: $after) {
      pageInfo {
        endCursor
        hasNextPage
      }
      nodes {
        id
        gnsId
        name
        services
        targetPercent
        window
        type
        version
        status {
          health
          compliance
          meetsTarget
          budget {
            remainingFraction
          }
          burnRates {
            window
            rate
          }
          activeAlerts {
            rule
            severity
            firedAt
          }
        }
      }
    }
  }
`);

export const ClustersQuery = graphql(`
  query Clusters($after: String) {
    clusters(first: 20, after: $after) {
      pageInfo {
        endCursor
        hasNextPage
      }
      nodes {
        id
        name
        status
        agentVersion
        appliedVersion
        desiredVersion
        lastSeenAt
        eastWestAddress
        labels
        lastNack {
          version
          reason
          at
        }
        conditions {
          type
          status
          reason
          message
          lastTransitionTime
        }
        inventory {
          namespaces
          services
          updatedAt
        }
      }
    }
  }
`);

export const ClusterStatusQuery = graphql(`
  query ClusterStatus($id: ID!) {
    cluster(id: $id) {
      id
      name
      status
      agentVersion
    }
  }
`);

export const GlobalNamespacesQuery = graphql(`
  query GlobalNamespaces($after: String) {
    globalNamespaces(first: 20, after: $after) {
      pageInfo {
        endCursor
        hasNextPage
      }
      nodes {
        id
        name
        domain
        description
        mtlsMode
        createdAt
        matchConditions {
          cluster {
            type
            value
          }
          namespace {
            type
            value
          }
        }
        status {
          serviceCount
          memberNamespaces {
            clusterId
            clusterName
            namespace
          }
          conflicts {
            kind
            reason
          }
          warnings {
            kind
            reason
          }
        }
      }
    }
  }
`);

export const GlobalNamespaceQuery = graphql(`
  query GlobalNamespace($id: ID!) {
    globalNamespace(id: $id) {
      id
      name
      domain
      description
      mtlsMode
      version
      matchConditions {
        cluster {
          type
          value
        }
        namespace {
          type
          value
        }
      }
      status {
        serviceCount
        memberNamespaces {
          clusterId
          clusterName
          namespace
        }
        conflicts {
          kind
          reason
        }
        warnings {
          kind
          reason
        }
      }
      services {
        name
        hostname
        ports {
          name
          number
          protocol
        }
        instances {
          clusterName
          namespace
          readyEndpoints
          notReadyEndpoints
        }
      }
    }
  }
`);

export const GnsCaQuery = graphql(`
  query GnsCa($id: ID!) {
    globalNamespace(id: $id) {
      id
      ca {
        trustDomain
        roots {
          generation
          state
          issuing
          trusted
          subject
          notAfter
          fingerprintSha256
        }
        rotation {
          stage
          stageEnteredAt
          currentRootGeneration
          nextRootGeneration
          allClustersMovedAt
          waitingFor {
            reason
            clusterIds
            earliestAt
          }
        }
        intermediates {
          clusterId
          clusterName
          rootGeneration
          state
          notAfter
          lastError
        }
      }
    }
  }
`);

export const TopologyQuery = graphql(`
  query Topology($gnsId: ID!, $from: DateTime!, $to: DateTime!) {
    topology(gnsId: $gnsId, from: $from, to: $to) {
      nodes {
        id
        clusterId
        clusterName
        namespace
        service
        member
        requestRate
        errorRate
        p50
        p90
        p99
      }
      edges {
        sourceId
        destinationId
        clusterId
        requestRate
        errorRate
        p50
        p90
        p99
      }
    }
  }
`);

export const ServiceMetricsQuery = graphql(`
  query ServiceMetrics($gnsId: ID!, $service: String!, $from: DateTime!, $to: DateTime!, $step: Int!) {
    serviceMetrics(gnsId: $gnsId, service: $service, from: $from, to: $to, step: $step) {
      timestamp
      requestRate
      errorRate
      errors
      p50
      p90
      p99
    }
  }
`);

export const SloQuery = graphql(`
  query Slo($id: ID!, $from: DateTime!, $to: DateTime!, $step: Int!) {
    slo(id: $id) {
      id
      gnsId
      name
      description
      services
      targetPercent
      window
      type
      budgeting
      noDataPolicy
      version
      indicators {
        kind
        percentile
        thresholdMs
        maxErrorRatePercent
      }
      status {
        health
        compliance
        meetsTarget
        evaluatedAt
        budget {
          remainingFraction
          consumedFraction
        }
        burnRates {
          window
          rate
        }
        activeAlerts {
          rule
          severity
          firedAt
        }
        indicators {
          kind
          percentile
          thresholdMs
          maxErrorRatePercent
          value
          holds
        }
      }
      history(from: $from, to: $to, step: $step) {
        timestamp
        sli
        budgetRemainingFraction
        requests
        badRequests
      }
      events(first: 50) {
        nodes {
          id
          at
          type
          rule
          severity
          longWindowBurnRate
          shortWindowBurnRate
          threshold
        }
      }
    }
  }
`);

export const CreateSloMutation = graphql(`
  mutation CreateSlo($input: SloInput!) {
    createSlo(input: $input) {
      id
    }
  }
`);

export const UpdateSloMutation = graphql(`
  mutation UpdateSlo($id: ID!, $version: Int!, $input: SloInput!) {
    updateSlo(id: $id, version: $version, input: $input) {
      id
    }
  }
`);

export const TrafficPoliciesQuery = graphql(`
  query TrafficPolicies($gnsId: ID!) {
    globalNamespace(id: $gnsId) {
      id
      name
      services {
        name
        hostname
      }
    }
    trafficPolicies(gnsId: $gnsId) {
      service
      spec
      version
      updatedAt
      warnings {
        field
        message
      }
    }
    securityPolicy(gnsId: $gnsId) {
      spec
      version
      warnings {
        field
        message
      }
    }
  }
`);

export const PolicyDryRunQuery = graphql(`
  query PolicyDryRun($gnsId: ID!, $trafficPolicies: [ProposedTrafficPolicy!], $securityPolicy: JSONObject) {
    policyDryRun(gnsId: $gnsId, trafficPolicies: $trafficPolicies, securityPolicy: $securityPolicy) {
      warnings {
        field
        message
      }
      clusters {
        clusterId
        clusterName
        added
        changed
        removed
        error
        objects
      }
    }
  }
`);

export const SetTrafficPolicyMutation = graphql(`
  mutation SetTrafficPolicy($gnsId: ID!, $service: String!, $spec: JSONObject!, $version: Int) {
    setTrafficPolicy(gnsId: $gnsId, service: $service, spec: $spec, version: $version) {
      service
      version
    }
  }
`);

export const SetSecurityPolicyMutation = graphql(`
  mutation SetSecurityPolicy($gnsId: ID!, $spec: JSONObject!, $version: Int) {
    setSecurityPolicy(gnsId: $gnsId, spec: $spec, version: $version) {
      version
    }
  }
`);

export const GnsAutoscalingQuery = graphql(`
  query GnsAutoscaling($id: ID!) {
    globalNamespace(id: $id) {
      id
      autoscalingPolicies {
        service
        version
        spec
        updatedAt
      }
    }
  }
`);

export const AutoscalingEventsQuery = graphql(`
  query AutoscalingEvents($gnsId: ID!, $service: String!) {
    autoscalingEvents(gnsId: $gnsId, service: $service, first: 20) {
      nodes {
        id
        decidedAt
        clusterName
        target {
          kind
          namespace
          name
        }
        action
        outcome
        fromReplicas
        toReplicas
        rule
        blockedBy
      }
    }
  }
`);
