// Checks the demo's synthetic traffic against the telemetry attribution model (docs/telemetry.md,
// "Attribution"): a cluster reports only traffic its own services receive, and names the caller's
// cluster, where the caller runs. Otherwise the demo topology would show services in clusters they
// do not run in.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { parseSyntheticTelemetryFile } from '../../apps/agent/src/telemetry/synthetic-telemetry.source';

const DEMO = path.resolve(__dirname, '../demo');
const CLUSTERS = ['east', 'west', 'edge'];

/** "namespace/service" of each service in a demo cluster's inventory file. */
function servicesIn(cluster: string): Set<string> {
  const inventory = YAML.parse(fs.readFileSync(path.join(DEMO, `${cluster}.yaml`), 'utf8')) as {
    services: { namespace: string; name: string }[];
  };
  return new Set(inventory.services.map((service) => `${service.namespace}/${service.name}`));
}

describe('demo synthetic traffic', () => {
  const running = new Map(CLUSTERS.map((cluster) => [cluster, servicesIn(cluster)]));

  it.each(CLUSTERS)(
    '%s reports only calls to its own services, from callers in the clusters it names',
    (cluster) => {
      const file = path.join(DEMO, `traffic-${cluster}.yaml`);
      const traffic = parseSyntheticTelemetryFile(fs.readFileSync(file, 'utf8'), file);
      for (const edge of traffic.edges) {
        expect(running.get(cluster)).toContain(`${edge.destination.namespace}/${edge.destination.service}`);
        expect(edge.source.cluster).toBeDefined();
        expect(running.get(edge.source.cluster ?? '')).toContain(
          `${edge.source.namespace}/${edge.source.service}`,
        );
      }
    },
  );
});
