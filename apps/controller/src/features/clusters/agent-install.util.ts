/**
 * The commands that install a cluster's agent with its Helm chart (deploy/helm/lattice-agent),
 * returned by cluster registration and every new bootstrap token. They need nothing but kubectl and
 * helm pointed at the cluster: the bootstrap token and the controller CA travel in the commands
 * themselves (a Secret the chart reads via `bootstrap.existingSecret`), so there is no file to
 * create first and the token is not stored in the Helm release.
 */

export const AGENT_NAMESPACE = 'lattice-system';
export const AGENT_RELEASE = 'lattice-agent';
export const AGENT_BOOTSTRAP_SECRET = 'lattice-agent-bootstrap';

export interface AgentInstallInput {
  clusterName: string;
  /** host:port agents dial. */
  controllerAddress: string;
  controllerCaPem: string;
  bootstrapToken: string;
  /** Chart reference for helm: a path, `repo/name` or `oci://…`. */
  chart: string;
  /** Chart version to pin (`--version`); omitted when undefined. */
  chartVersion?: string;
}

export interface AgentInstall {
  namespace: string;
  release: string;
  secretName: string;
  /** Creates (or updates) the namespace and the Secret with the token and the controller CA. */
  kubectl: string;
  /** Installs (or upgrades) the agent release reading that Secret. */
  helm: string;
  /** The chart values the helm command sets. */
  values: {
    clusterName: string;
    controller: { address: string };
    bootstrap: { existingSecret: string };
  };
}

/** POSIX shell single quoting: safe for any value. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A here-document delimiter that does not occur as a line of `text`. */
function heredocDelimiter(text: string): string {
  const lines = new Set(text.split('\n'));
  let delimiter = 'LATTICE_CA';
  while (lines.has(delimiter)) delimiter += '_';
  return delimiter;
}

export function agentInstall(input: AgentInstallInput): AgentInstall {
  const namespace = AGENT_NAMESPACE;
  const secretName = AGENT_BOOTSTRAP_SECRET;
  const pem = input.controllerCaPem.trimEnd();
  const delimiter = heredocDelimiter(pem);
  // `create --dry-run=client -o yaml | apply` creates or replaces, so the same commands work again
  // with a new bootstrap token. The CA goes in through a quoted here-document: no quoting issues.
  const kubectl = [
    `kubectl create namespace ${namespace} --dry-run=client -o yaml | kubectl apply -f -`,
    `kubectl --namespace ${namespace} create secret generic ${secretName} \\`,
    `  --from-literal=LATTICE_BOOTSTRAP_TOKEN=${shellQuote(input.bootstrapToken)} \\`,
    `  --from-literal=LATTICE_CA_CERT="$(cat <<'${delimiter}'`,
    pem,
    delimiter,
    `)" --dry-run=client -o yaml | kubectl apply -f -`,
  ].join('\n');
  const values = {
    clusterName: input.clusterName,
    controller: { address: input.controllerAddress },
    bootstrap: { existingSecret: secretName },
  };
  const helm = [
    `helm upgrade --install ${AGENT_RELEASE} ${shellQuote(input.chart)} \\`,
    ...(input.chartVersion ? [`  --version ${shellQuote(input.chartVersion)} \\`] : []),
    `  --namespace ${namespace} \\`,
    // --set-string: a value such as a numeric cluster name stays a string for the chart's schema.
    `  --set-string clusterName=${shellQuote(values.clusterName)} \\`,
    `  --set-string controller.address=${shellQuote(values.controller.address)} \\`,
    `  --set-string bootstrap.existingSecret=${secretName}`,
  ].join('\n');
  return { namespace, release: AGENT_RELEASE, secretName, kubectl, helm, values };
}
