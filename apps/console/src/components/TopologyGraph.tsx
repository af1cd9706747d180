import cytoscape, { type Core } from 'cytoscape';
import { useEffect, useRef } from 'react';
import type { CyElement } from '../lib/topology';
import { syncElements } from './topology-sync';

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: 'node.cluster',
    style: {
      label: 'data(label)',
      'text-valign': 'top',
      'text-halign': 'center',
      'font-weight': 'bold',
      'background-color': '#f1f3f5',
      'border-color': '#adb5bd',
      'border-width': 1,
      padding: '24px',
      shape: 'round-rectangle',
    },
  },
  {
    selector: 'node.service',
    style: {
      label: 'data(label)',
      'background-color': 'data(colour)',
      'font-size': 12,
      'text-valign': 'bottom',
      'text-margin-y': 4,
      width: 26,
      height: 26,
      'min-zoomed-font-size': 8,
    },
  },
  { selector: 'node.external', style: { shape: 'diamond', 'background-opacity': 0.5 } },
  // Large graphs (the `large` class on every edge): straight haystack edges without arrows and
  // without labels draw far faster; the numbers stay in the tables below the graph.
  {
    selector: 'edge.large',
    style: { 'curve-style': 'haystack', 'haystack-radius': 0, label: '', 'target-arrow-shape': 'none' },
  },
  { selector: 'node.large', style: { 'min-zoomed-font-size': 14 } },
  { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#364fc7' } },
  {
    selector: 'edge',
    style: {
      'curve-style': 'bezier',
      'target-arrow-shape': 'triangle',
      'line-color': 'data(colour)',
      'target-arrow-color': 'data(colour)',
      width: 'data(width)',
      label: 'data(label)',
      'font-size': 9,
      'text-rotation': 'autorotate',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.8,
      'min-zoomed-font-size': 10,
    },
  },
];

/**
 * The topology as a Cytoscape graph (canvas: thousands of nodes stay responsive), laid out by the
 * positions topologyElements computed. A refresh replaces the data in place and keeps zoom and pan.
 */
export function TopologyGraph({
  elements,
  onSelect,
  headless = false,
}: {
  elements: CyElement[];
  onSelect: (nodeId: string) => void;
  /** No canvas (component tests in jsdom): the same graph model without drawing. */
  headless?: boolean;
}) {
  const container = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  const select = useRef(onSelect);
  select.current = onSelect;

  useEffect(() => {
    const instance = cytoscape({
      container: headless ? undefined : container.current,
      headless,
      style: STYLE,
      layout: { name: 'preset' },
      textureOnViewport: true,
      hideEdgesOnViewport: true,
      minZoom: 0.05,
      maxZoom: 3,
    });
    instance.on('tap', 'node.service', (event) => select.current(event.target.id() as string));
    cy.current = instance;
    return () => {
      instance.destroy();
      cy.current = null;
    };
  }, [headless]);

  useEffect(() => {
    const instance = cy.current;
    if (!instance) return;
    const first = instance.elements().length === 0;
    syncElements(instance, elements);
    if (first && !headless) instance.fit(undefined, 30);
    if (container.current) container.current.dataset.elements = String(instance.elements().length);
  }, [elements, headless]);

  return (
    <div
      ref={container}
      data-testid="topology-graph"
      role="img"
      aria-label="Service topology graph; the table below lists the same services and calls"
      style={{ width: '100%', height: 520, border: '1px solid #dee2e6', borderRadius: 8, background: '#fff' }}
    />
  );
}
