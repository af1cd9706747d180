import cytoscape from 'cytoscape';
import { bench, describe } from 'vitest';
import { syncElements } from '../components/topology-sync';
import { syntheticTopology, topologyElements } from './topology';

// `npm run bench:console`: what a refresh of a 200 services × 10 clusters topology costs before the
// canvas draws (building the elements, and Cytoscape taking them in), per operation.
const { nodes, edges } = syntheticTopology(200, 10);
const elements = topologyElements(nodes, edges);

describe('topology 200 services × 10 clusters (2,000 nodes, 2,000 edges)', () => {
  bench('topologyElements (group, colour, label, lay out)', () => {
    topologyElements(nodes, edges);
  });

  bench('Cytoscape (headless) loads the elements', () => {
    const cy = cytoscape({ headless: true, styleEnabled: true, layout: { name: 'preset' } });
    cy.add(elements as cytoscape.ElementDefinition[]);
    cy.destroy();
  });

  const loaded = cytoscape({ headless: true, styleEnabled: true, layout: { name: 'preset' } });
  syncElements(loaded, elements);
  const refreshed = topologyElements(
    nodes.map((n) => ({ ...n, requestRate: n.requestRate * 1.1 })),
    edges.map((e) => ({ ...e, requestRate: e.requestRate * 1.1 })),
  );
  bench('a refresh: new numbers synced into the loaded graph', () => {
    syncElements(loaded, refreshed);
  });
});
