import { allNodes, gql } from './client';
import { ClustersQuery, GlobalNamespacesQuery, OverviewQuery, SlosQuery } from './operations';

/** Whole lists, fetched page by page (each page within the GraphQL cost limit). */
export const loadClusters = () => allNodes((after) => gql(ClustersQuery, { after }).then((r) => r.clusters));

export const loadGlobalNamespaces = () =>
  allNodes((after) => gql(GlobalNamespacesQuery, { after }).then((r) => r.globalNamespaces));

export const loadGnsSummaries = () =>
  allNodes((after) => gql(OverviewQuery, { after }).then((r) => r.globalNamespaces));

export const loadSlos = (gnsId?: string | null) =>
  allNodes((after) => gql(SlosQuery, { gnsId: gnsId ?? null, after }).then((r) => r.slos));
