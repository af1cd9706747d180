import { fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeServer, operationOf, renderAt } from '../test-utils';
import { AutoscalingCard, autoscalingSummary } from './AutoscalingCard';

afterEach(() => vi.unstubAllGlobals());

const spec = {
  mode: 'EFFICIENCY',
  instances: { min: 1, max: 4, default: 2, stepsUp: 1, stepsDown: 1 },
  triggers: [{ metric: 'CPU', scaleUp: 800, scaleDown: 200, windowSeconds: 60 }],
  recommendOnly: true,
};

describe('AutoscalingCard', () => {
  it('summarises a policy in a line', () => {
    expect(autoscalingSummary(spec)).toBe('EFFICIENCY · 1–4 instances · on CPU · (recommend only)');
  });

  it('lists the policies and, for a service, the decisions with their rule and what blocked them', async () => {
    const calls = fakeServer((_url, init) => {
      switch (operationOf(init)) {
        case 'GnsAutoscaling':
          return {
            body: {
              data: {
                globalNamespace: {
                  id: 'g1',
                  autoscalingPolicies: [
                    { service: 'cart', version: 2, spec, updatedAt: '2026-12-04T10:00:00Z' },
                  ],
                },
              },
            },
          };
        case 'AutoscalingEvents':
          return {
            body: {
              data: {
                autoscalingEvents: {
                  nodes: [
                    {
                      id: 'e1',
                      decidedAt: '2026-12-04T10:05:00Z',
                      clusterName: 'east',
                      target: { kind: 'Deployment', namespace: 'shop', name: 'cart' },
                      action: 'SCALE_DOWN',
                      outcome: 'BLOCKED',
                      fromReplicas: 3,
                      toReplicas: 3,
                      rule: 'CPU 150 < 200 for 60 s',
                      blockedBy: 'SLO',
                    },
                  ],
                },
              },
            },
          };
      }
      return { status: 404, body: { message: 'no fake' } };
    });
    renderAt(<AutoscalingCard gnsId="g1" />);
    expect(await screen.findByText('EFFICIENCY · 1–4 instances · on CPU · (recommend only)')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Show decisions' }));
    const decisions = await screen.findByTestId('autoscaling-decisions');
    expect(await screen.findByText('blocked by SLO')).toBeTruthy();
    expect(decisions.textContent).toContain('Deployment/shop/cart');
    expect(decisions.textContent).toContain('3 → 3');
    expect(decisions.textContent).toContain('CPU 150 < 200 for 60 s');
    const variables = calls
      .filter((call) => call.body?.includes('AutoscalingEvents'))
      .map((call) => (JSON.parse(call.body!) as { variables: unknown }).variables);
    expect(variables).toContainEqual({ gnsId: 'g1', service: 'cart' });
  });
});
