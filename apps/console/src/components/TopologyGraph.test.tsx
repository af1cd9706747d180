import { screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { syntheticTopology, topologyElements } from '../lib/topology';
import { renderAt } from '../test-utils';
import { TopologyGraph } from './TopologyGraph';

describe('TopologyGraph', () => {
  it('holds a 200 services × 10 clusters topology (Cytoscape headless: jsdom has no canvas) and replaces it on refresh', () => {
    const { nodes, edges } = syntheticTopology(200, 10);
    const elements = topologyElements(nodes, edges);
    const { rerender } = renderAt(<TopologyGraph elements={elements} onSelect={vi.fn()} headless />);
    const graph = screen.getByTestId('topology-graph');
    expect(graph.dataset.elements).toBe(String(10 + 2000 + 2000));
    expect(graph.getAttribute('aria-label')).toContain('table below');
    const smaller = topologyElements(nodes.slice(0, 20), edges.slice(0, 10));
    rerender(<TopologyGraph elements={smaller} onSelect={vi.fn()} headless />);
    expect(screen.getByTestId('topology-graph').dataset.elements).toBe(String(smaller.length));
  });
});

describe('syncElements', () => {
  it('updates a loaded graph in place: same elements, new numbers, gone ones removed, new ones added', async () => {
    const cytoscape = (await import('cytoscape')).default;
    const { syncElements } = await import('./topology-sync');
    const { nodes, edges } = syntheticTopology(5, 2);
    const cy = cytoscape({ headless: true });
    syncElements(cy, topologyElements(nodes, edges));
    const edge = cy.edges()[0]!;
    const before = { id: edge.id(), label: edge.data('label') as string };
    syncElements(
      cy,
      topologyElements(
        nodes.slice(0, 9),
        edges.map((e) => ({ ...e, requestRate: e.requestRate + 100 })),
      ),
    );
    const same = cy.getElementById(before.id);
    expect(same.nonempty()).toBe(true);
    expect(same.data('label')).not.toBe(before.label);
    expect(cy.getElementById(nodes[9]!.id).empty()).toBe(true);
    syncElements(cy, topologyElements(nodes, edges));
    expect(cy.getElementById(nodes[9]!.id).nonempty()).toBe(true);
    expect(cy.nodes().length).toBe(2 + 10);
  });
});
