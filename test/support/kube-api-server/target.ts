/**
 * The cluster a suite runs against: this fake API server, or a real cluster when
 * LATTICE_TEST_KUBECONFIG names a kubeconfig. Suites use `kubeconfigPath`/`endpoint` for both, and
 * only reach for `fake` (store set-up, faults, request log) when `real` is false.
 */
import { endpointFromKubeconfig, type Endpoint } from './client';
import { start, type KubeApiServer, type StartOptions } from './server';

export interface KubeTarget {
  real: boolean;
  kubeconfigPath: string;
  endpoint: Endpoint;
  /** The in-process fake; undefined against a real cluster (tests that need it should skip). */
  fake?: KubeApiServer;
  close(): Promise<void>;
}

export const REAL_CLUSTER_ENV = 'LATTICE_TEST_KUBECONFIG';

export async function kubeTarget(
  options: StartOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<KubeTarget> {
  const kubeconfigPath = env[REAL_CLUSTER_ENV];
  if (kubeconfigPath) {
    return {
      real: true,
      kubeconfigPath,
      endpoint: endpointFromKubeconfig(kubeconfigPath),
      close: async () => {},
    };
  }
  const fake = await start(options);
  return {
    real: false,
    kubeconfigPath: fake.kubeconfigPath,
    endpoint: { url: fake.url, caPem: fake.caPem, token: fake.token },
    fake,
    close: () => fake.close(),
  };
}
