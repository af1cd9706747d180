import type { MeshInstallation } from '@lattice/domain';

export type MeshInstallationListener = (installation: MeshInstallation) => void;

/**
 * What the agent reads of its cluster's Istio installation (mesh config, network, east-west
 * gateway, version, node localities). Emits the complete installation when it changes; the agent
 * sends it to the controller on every new stream and on every change.
 */
export interface MeshInstallationSource {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The latest installation read; undefined before the first read. */
  current(): MeshInstallation | undefined;
  /** Returns a function that unsubscribes. */
  subscribe(listener: MeshInstallationListener): () => void;
}
