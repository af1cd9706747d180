import { InventoryFileError, parseInventoryFile } from './inventory-file.schema';

const valid = `
namespaces:
  - name: shop
    labels: { team: web }
  - name: payments
services:
  - namespace: shop
    name: cart
    labels: { app: cart }
    ports:
      - { name: http, port: 80, protocol: HTTP, targetPort: 8080 }
      - { name: grpc, port: 9090, protocol: GRPC }
    endpointGroups:
      - { labels: { version: v1 }, ready: 2 }
      - { labels: { version: v2 }, ready: 1, notReady: 1 }
    selector: { app: cart, tier: web }
  - namespace: payments
    name: api
`;

describe('parseInventoryFile', () => {
  it('parses namespaces and services with defaults filled in', () => {
    expect(parseInventoryFile(valid)).toEqual({
      namespaces: [
        { name: 'shop', labels: { team: 'web' } },
        { name: 'payments', labels: {} },
      ],
      services: [
        {
          namespace: 'shop',
          name: 'cart',
          labels: { app: 'cart' },
          ports: [
            { name: 'http', port: 80, protocol: 'HTTP', targetPort: 8080 },
            { name: 'grpc', port: 9090, protocol: 'GRPC', targetPort: 9090 },
          ],
          endpointGroups: [
            { labels: { version: 'v1' }, ready: 2, notReady: 0 },
            { labels: { version: 'v2' }, ready: 1, notReady: 1 },
          ],
          selector: { app: 'cart', tier: 'web' },
        },
        // Without a selector: the `app: <name>` convention.
        {
          namespace: 'payments',
          name: 'api',
          labels: {},
          ports: [],
          endpointGroups: [],
          selector: { app: 'api' },
        },
      ],
    });
  });

  it('accepts an empty file as an empty inventory', () => {
    expect(parseInventoryFile('')).toEqual({ namespaces: [], services: [] });
  });

  it.each([
    [valid.replace('port: 80,', 'port: eighty,'), /services\.0\.ports\.0\.port: /],
    [valid.replace('protocol: GRPC', 'protocol: SMTP'), /services\.0\.ports\.1\.protocol: /],
    [valid.replace('ready: 2', 'ready: -2'), /services\.0\.endpointGroups\.0\.ready: /],
    [valid.replace('name: cart', 'name: Cart_Service'), /services\.0\.name: must be a DNS label/],
    [valid.replace('labels: { app: cart }', 'labels: { app: 3 }'), /services\.0\.labels\.app: /],
    [valid.replace('targetPort: 8080', 'targetPort: 8080, weight: 3'), /services\.0\.ports\.0: .*weight/],
    ['namespaces: {}', /namespaces: /],
    [
      `${valid}  - namespace: nowhere\n    name: x\n`,
      /services\.2\.namespace: namespace "nowhere" is not listed under namespaces/,
    ],
    [`${valid}  - namespace: shop\n    name: cart\n`, /services\.2\.name: duplicate service "shop\/cart"/],
    ['namespaces: [ {name: a}, {name: a} ]', /namespaces\.1\.name: duplicate namespace "a"/],
    ['namespaces: [', /not valid YAML/],
  ])('names the bad field (%#)', (text, message) => {
    expect(() => parseInventoryFile(text, 'inventory.yaml')).toThrow(InventoryFileError);
    expect(() => parseInventoryFile(text, 'inventory.yaml')).toThrow(message);
  });
});
