import type { Core, ElementDefinition } from 'cytoscape';
import type { CyElement } from '../lib/topology';

/**
 * Brings a Cytoscape graph to `elements` with the least work: the first load adds everything; a
 * refresh (the usual case: the same services and calls with new numbers) only updates data and
 * positions of existing elements, removes what is gone and adds what is new, in one batch.
 */
export function syncElements(cy: Core, elements: readonly CyElement[]): void {
  cy.batch(() => {
    if (cy.elements().length === 0) {
      cy.add(elements as ElementDefinition[]);
      return;
    }
    const wanted = new Set(elements.map((e) => e.data.id));
    cy.elements().forEach((element) => {
      if (!wanted.has(element.id()) && element.inside()) element.remove();
    });
    const added: CyElement[] = [];
    for (const element of elements) {
      const existing = cy.getElementById(element.data.id);
      if (existing.empty()) {
        added.push(element);
        continue;
      }
      existing.data(element.data);
      if (element.position && existing.isNode() && !existing.isParent()) existing.position(element.position);
    }
    if (added.length > 0) cy.add(added as ElementDefinition[]);
  });
}
