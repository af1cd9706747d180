import fs from 'node:fs';
import path from 'node:path';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { parse } from 'yaml';
import { intermediateCommonName } from '@lattice/pki';
import {
  craftCsr,
  opensslVerify,
  rsaKeyPairPem,
  signWorkloadCertificate,
} from '../libs/pki/src/pki.test-util';
import { AgentProcess, type InventoryFile } from './support/agent-process';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import { agentClient, eventually, registerAgent, TestStream } from './support/grpc-agent-client';
import { createCluster, createTenant, createToken, type TestTenant } from './support/tenants';

interface CaStatus {
  trustBundlePem: string;
  roots: {
    generation: number;
    fingerprintSha256: string;
    state: string;
    trusted: boolean;
    issuing: boolean;
  }[];
  rotation: { stage: string; currentRootGeneration: number; nextRootGeneration: number | null } | null;
  intermediates: { clusterName: string; rootGeneration: number; state: string; lastError: string | null }[];
}

interface PluginCa {
  caCert: string;
  caKey: string;
  certChain: string;
  rootCert: string;
  rootGeneration: string | undefined;
}

const inventory = (namespaces: string[]): InventoryFile => ({
  namespaces: namespaces.map((name) => ({ name })),
  services: namespaces.map((namespace) => ({
    namespace,
    name: `${namespace}-api`,
    ports: [{ name: 'http', port: 8080, protocol: 'HTTP' }],
    endpointGroups: [{ labels: { version: 'v1' }, ready: 1 }],
  })),
});

/** The plug-in CA Secret an agent wrote to its output folder, decoded; undefined while absent. */
function readPluginCa(agent: AgentProcess, secretName: string): PluginCa | undefined {
  const file = path.join(agent.outputDir, `secret.istio-system.${secretName}.yaml`);
  if (!fs.existsSync(file)) return undefined;
  const secret = parse(fs.readFileSync(file, 'utf8')) as {
    metadata: { annotations?: Record<string, string> };
    data: Record<string, string>;
  };
  const field = (name: string) => Buffer.from(secret.data[name] ?? '', 'base64').toString('utf8');
  return {
    caCert: field('ca-cert.pem'),
    caKey: field('ca-key.pem'),
    certChain: field('cert-chain.pem'),
    rootCert: field('root-cert.pem'),
    rootGeneration: secret.metadata.annotations?.['lattice.io/root-generation'],
  };
}

/** A workload certificate signed the way istiod in `from` would, checked against `trustedBy`'s bundle. */
function crossVerify(from: PluginCa, trustBundlePem: string): { ok: boolean; output: string } {
  const leaf = signWorkloadCertificate({
    intermediateCertPem: from.caCert,
    intermediateKeyPem: from.caKey,
    spiffeId: 'spiffe://shop.e2e.test/ns/shop/sa/shop-api',
  });
  // The intermediate travels with the leaf (as in a TLS handshake); only the bundle is trusted.
  return opensslVerify(leaf, [from.caCert], trustBundlePem, { purpose: 'sslclient' });
}

/**
 * The per-GNS CA end to end: real controller replicas, two real agents (directory sink), the
 * Istio plug-in CA Secrets they render, chains checked by OpenSSL, a root rotation driven to the
 * end with both clusters verifying each other at every step, and refused CSRs.
 */
describe('per-GNS certificate authority', () => {
  let database: TestDatabase;
  let primary: ControllerProcess;
  let replica: ControllerProcess;
  let tenant: TestTenant;
  let viewer: string;
  let shopId: string;
  let billingId: string;
  const clusterIds: Record<string, string> = {};
  const agents: Record<string, AgentProcess> = {};

  const caStatus = async (gnsId: string) => {
    const response = await primary.request('GET', `/v1/global-namespaces/${gnsId}/ca`, { token: viewer });
    expect(response.status).toBe(200);
    expect(response.text).not.toMatch(/PRIVATE KEY/);
    return response.json as unknown as CaStatus;
  };

  async function registerCluster(name: string) {
    const cluster = await createCluster(primary, tenant.adminToken, name, `${name}.gw.example.test`);
    clusterIds[name] = cluster.id;
    return cluster;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = {
      LATTICE_AGENT_HEARTBEAT_SECONDS: '2',
      // DROP_OLD waits this long after every cluster moved, for old workload certificates to expire.
      LATTICE_CA_MAX_WORKLOAD_CERT_TTL_SECONDS: '3',
    };
    primary = new ControllerProcess({ databaseUrl: database.url, env });
    await primary.start();
    replica = new ControllerProcess({
      databaseUrl: database.url,
      operatorToken: primary.operatorToken,
      masterKey: primary.masterKey,
      redisPrefix: primary.redisPrefix,
      env,
    });
    await replica.start();
    tenant = await createTenant(primary, 'ca-e2e');
    viewer = (await createToken(primary, tenant, 'viewer')).token;

    // east on the primary, west on the replica: CSRs, signing and snapshots cross replicas.
    for (const [name, controller, namespaces] of [
      ['east', primary, ['shop', 'billing']],
      ['west', replica, ['shop']],
    ] as const) {
      const registration = await registerCluster(name);
      const agent = new AgentProcess(name, {
        controllerAddress: () => controller.grpcAddress,
        caPem: registration.controllerCaPem,
        bootstrapToken: registration.bootstrapToken,
      });
      agent.writeInventory(inventory([...namespaces]));
      agent.start();
      agents[name] = agent;
    }

    const create = async (name: string, namespace: string) => {
      const response = await primary.request('POST', '/v1/global-namespaces', {
        token: tenant.adminToken,
        body: {
          name,
          domain: `${name}.e2e.test`,
          matchConditions: [
            { cluster: { type: 'REGEX', value: '.*' }, namespace: { type: 'EXACT', value: namespace } },
          ],
        },
      });
      expect(response.status).toBe(201);
      return (response.json as unknown as { id: string }).id;
    };
    shopId = await create('shop', 'shop');
    billingId = await create('billing', 'billing');
  }, 120_000);

  afterAll(async () => {
    await Promise.all(Object.values(agents).map((agent) => agent.stop()));
    await Promise.all([primary?.stop(), replica?.stop()]);
    await database?.drop();
  });

  it('signs an intermediate per member cluster and the agents render Istio plug-in CA Secrets', async () => {
    const status = await eventually(
      () => caStatus(shopId),
      (ca) => ca.intermediates.filter((i) => i.state === 'SIGNED').length === 2,
      60_000,
    );
    expect(status.roots).toEqual([
      expect.objectContaining({ generation: 1, state: 'ACTIVE', trusted: true, issuing: true }),
    ]);
    expect(status.rotation).toMatchObject({ stage: 'IDLE', currentRootGeneration: 1 });
    expect(status.intermediates.map((i) => i.clusterName).sort()).toEqual(['east', 'west']);

    const east = await eventually(
      async () => readPluginCa(agents.east!, 'lattice-cacerts-shop'),
      (ca) => ca !== undefined,
      30_000,
    );
    const west = await eventually(
      async () => readPluginCa(agents.west!, 'lattice-cacerts-shop'),
      (ca) => ca !== undefined,
      30_000,
    );
    for (const ca of [east!, west!]) {
      expect(ca.caKey).toMatch(/BEGIN PRIVATE KEY/);
      const intermediate = new X509Certificate(ca.caCert);
      const root = new X509Certificate(ca.rootCert);
      expect(intermediate.checkIssued(root) && intermediate.verify(root.publicKey)).toBe(true);
      expect(intermediate.ca).toBe(true);
      // The key in the Secret belongs to the certificate: made in the cluster, never sent.
      expect(intermediate.checkPrivateKey(createPrivateKey(ca.caKey))).toBe(true);
    }
    expect(new X509Certificate(east!.caCert).subject).toContain(`CN=${intermediateCommonName('east')}`);

    // istiod's own cacerts: both clusters designate shop (the older GNS) and trust billing too on east.
    const eastMesh = await eventually(
      async () => readPluginCa(agents.east!, 'cacerts'),
      (ca) => ca !== undefined,
      30_000,
    );
    const westMesh = readPluginCa(agents.west!, 'cacerts');
    expect(eastMesh!.caCert).toBe(east!.caCert);
    expect(westMesh!.caCert).toBe(west!.caCert);
  });

  it('a leaf from cluster A verifies against cluster B in the same GNS and fails against another GNS', async () => {
    const east = readPluginCa(agents.east!, 'lattice-cacerts-shop')!;
    const west = readPluginCa(agents.west!, 'lattice-cacerts-shop')!;
    const billing = await eventually(
      async () => readPluginCa(agents.east!, 'lattice-cacerts-billing'),
      (ca) => ca !== undefined,
      30_000,
    );
    expect(crossVerify(east, west.rootCert)).toMatchObject({ ok: true });
    expect(crossVerify(west, east.rootCert)).toMatchObject({ ok: true });
    const foreign = crossVerify(east, billing!.rootCert);
    expect(foreign.ok).toBe(false);
    expect(foreign.output).toMatch(/unable to get local issuer certificate|unable to get issuer/);
    // Same through the API's trust bundle.
    expect(crossVerify(west, (await caStatus(billingId)).trustBundlePem).ok).toBe(false);
    expect(crossVerify(west, (await caStatus(shopId)).trustBundlePem).ok).toBe(true);
  });

  it("answers 404 for another tenant's GNS, and 404 for a malformed id", async () => {
    const other = await createTenant(primary, 'ca-e2e-other');
    for (const [method, route] of [
      ['GET', `/v1/global-namespaces/${shopId}/ca`],
      ['POST', `/v1/global-namespaces/${shopId}/ca/rotate`],
      ['GET', '/v1/global-namespaces/not-a-uuid/ca'],
    ] as const) {
      const response = await primary.request(method, route, { token: other.adminToken });
      expect({ route, status: response.status }).toEqual({ route, status: 404 });
    }
    expect((await caStatus(shopId)).rotation?.stage).toBe('IDLE');
  });

  it('shows the CA through GraphQL without any private key', async () => {
    const response = await primary.request('POST', '/graphql', {
      token: viewer,
      body: {
        query: `query($id: ID!) { globalNamespace(id: $id) { name ca {
          trustDomain trustBundlePem
          roots { generation fingerprintSha256 notAfter state }
          rotation { stage currentRootGeneration }
          intermediates { clusterName state rootGeneration notAfter lastError } } } }`,
        variables: { id: shopId },
      },
    });
    expect(response.status).toBe(200);
    expect(response.text).not.toMatch(/PRIVATE KEY/);
    const ca = (response.json as { data: { globalNamespace: { ca: CaStatus & { trustDomain: string } } } })
      .data.globalNamespace.ca;
    expect(ca.trustDomain).toBe('shop.e2e.test');
    expect(ca.roots).toHaveLength(1);
    expect(ca.intermediates.every((i) => i.state === 'SIGNED')).toBe(true);
  });

  it('rotates the root through every stage with chains from both sides verifying throughout', async () => {
    const before = await caStatus(shopId);
    const oldRoot = before.roots[0]!.fingerprintSha256;
    expect(
      (await primary.request('POST', `/v1/global-namespaces/${shopId}/ca/rotate`, { token: viewer })).status,
    ).toBe(403);
    const started = await primary.request('POST', `/v1/global-namespaces/${shopId}/ca/rotate`, {
      token: tenant.adminToken,
    });
    expect(started.status).toBe(202);
    expect(started.text).not.toMatch(/PRIVATE KEY/);
    expect((started.json as unknown as CaStatus).rotation).toMatchObject({
      stage: 'TRUST_BOTH',
      currentRootGeneration: 1,
      nextRootGeneration: 2,
    });
    const again = await primary.request('POST', `/v1/global-namespaces/${shopId}/ca/rotate`, {
      token: tenant.adminToken,
    });
    expect(again.status).toBe(409);

    const stagesSeen = new Set<string>();
    const deadline = Date.now() + 90_000;
    for (;;) {
      const status = await caStatus(shopId);
      stagesSeen.add(status.rotation!.stage);
      // Whatever each agent has applied right now, workloads of each side verify on the other.
      const east = readPluginCa(agents.east!, 'lattice-cacerts-shop')!;
      const west = readPluginCa(agents.west!, 'lattice-cacerts-shop')!;
      const eastToWest = crossVerify(east, west.rootCert);
      const westToEast = crossVerify(west, east.rootCert);
      expect({ stage: status.rotation!.stage, ...eastToWest }).toMatchObject({ ok: true });
      expect({ stage: status.rotation!.stage, ...westToEast }).toMatchObject({ ok: true });
      const eastMesh = readPluginCa(agents.east!, 'cacerts')!;
      const westMesh = readPluginCa(agents.west!, 'cacerts')!;
      expect(crossVerify(eastMesh, westMesh.rootCert).ok).toBe(true);
      expect(crossVerify(westMesh, eastMesh.rootCert).ok).toBe(true);

      const done =
        status.rotation!.stage === 'IDLE' &&
        status.rotation!.currentRootGeneration === 2 &&
        east.rootGeneration === '2' &&
        west.rootGeneration === '2' &&
        (east.rootCert.match(/BEGIN CERTIFICATE/g) ?? []).length === 1 &&
        (west.rootCert.match(/BEGIN CERTIFICATE/g) ?? []).length === 1;
      if (done) break;
      if (Date.now() > deadline)
        throw new Error(
          `rotation did not finish; stages seen ${[...stagesSeen]}, last ${JSON.stringify(status)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // DROP_OLD can pass between two samples; the others last at least one snapshot round trip.
    expect([...stagesSeen]).toEqual(expect.arrayContaining(['TRUST_BOTH', 'ISSUING_NEW', 'IDLE']));

    const after = await caStatus(shopId);
    expect(after.roots).toEqual([expect.objectContaining({ generation: 2, state: 'ACTIVE', trusted: true })]);
    expect(after.roots[0]!.fingerprintSha256).not.toBe(oldRoot);
    expect(after.intermediates.map((i) => [i.clusterName, i.rootGeneration, i.state])).toEqual([
      ['east', 2, 'SIGNED'],
      ['west', 2, 'SIGNED'],
    ]);
    // The old root no longer verifies anything here: a chain to it fails against the new bundles.
    expect(after.trustBundlePem).not.toContain(before.trustBundlePem.trim());

    const audit = await primary.request('GET', '/v1/audit-events?resourceType=global-namespace&limit=100', {
      token: tenant.adminToken,
    });
    expect(audit.json.items as { action: string; resourceId: string }[]).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'global-namespace.ca.rotate', resourceId: shopId }),
      ]),
    );
  }, 120_000);

  it('keeps the CA material across restarts of an agent and a controller, without new CSRs', async () => {
    const before = await caStatus(shopId);
    const westBefore = readPluginCa(agents.west!, 'lattice-cacerts-shop')!;
    await agents.west!.stop();
    await replica.stop();
    // The cluster keeps its Secret from the persisted snapshot and the key in the state dir.
    fs.rmSync(agents.west!.outputDir, { recursive: true, force: true });
    agents.west!.start();
    const restored = await eventually(
      async () => readPluginCa(agents.west!, 'lattice-cacerts-shop'),
      (ca) => ca !== undefined,
      30_000,
    );
    expect(restored).toEqual(westBefore);
    await replica.start();
    await eventually(
      async () =>
        (
          (await primary.request('GET', `/v1/clusters/${clusterIds.west}`, { token: tenant.adminToken }))
            .json as {
            status: string;
          }
        ).status,
      (status) => status === 'CONNECTED',
      30_000,
    );
    const after = await caStatus(shopId);
    expect(after.intermediates).toEqual(before.intermediates);
    expect(readPluginCa(agents.west!, 'lattice-cacerts-shop')).toEqual(westBefore);
  }, 90_000);

  it('refuses crafted CSRs with a reason recorded on the intermediate', async () => {
    const registration = await registerCluster('rogue');
    const client = agentClient(primary.grpcAddress, registration.controllerCaPem);
    const identity = await registerAgent(client, registration.bootstrapToken, 'rogue');
    const stream = new TestStream(agentClient(primary.grpcAddress, registration.controllerCaPem, identity));
    try {
      stream.send({ hello: { clusterId: identity.clusterId, appliedVersion: 0, agentVersion: 'test' } });
      stream.send({
        inventory: {
          full: true,
          namespaces: [{ name: 'shop', labels: {} }],
          services: [],
          revision: 1,
        },
      });
      const request = await stream.waitFor((message) => message.body === 'intermediateRequest', 30_000);
      expect(request.intermediateRequest).toMatchObject({
        gnsId: shopId,
        subjectCommonName: intermediateCommonName('rogue'),
        rootGeneration: 2,
      });

      const keyPair = rsaKeyPairPem(2048);
      const lastErrorOfRogue = async () =>
        (await caStatus(shopId)).intermediates.find((i) => i.clusterName === 'rogue')?.lastError ?? null;
      const cases: [string, string, RegExp][] = [
        [
          'wrong subject',
          craftCsr({ keyPair, subject: [{ shortName: 'CN', value: intermediateCommonName('east') }] }),
          /subject CN must be "Lattice intermediate rogue"/,
        ],
        [
          'weak key',
          craftCsr({
            keyPair: rsaKeyPairPem(1024),
            subject: [{ shortName: 'CN', value: intermediateCommonName('rogue') }],
          }),
          /1024 bits; at least 2048/,
        ],
        [
          'longer path',
          craftCsr({
            keyPair,
            subject: [{ shortName: 'CN', value: intermediateCommonName('rogue') }],
            extensions: [{ name: 'basicConstraints', cA: true, pathLenConstraint: 3 }],
          }),
          /path length 3/,
        ],
      ];
      for (const [, csrPem, reason] of cases) {
        stream.send({ csr: { gnsId: shopId, csrPem, rootGeneration: 2 } });
        await eventually(lastErrorOfRogue, (error) => error !== null && reason.test(error), 15_000);
      }
      const rogue = (await caStatus(shopId)).intermediates.find((i) => i.clusterName === 'rogue');
      expect(rogue).toMatchObject({ state: 'ERROR', rootGeneration: 2 });
      expect(stream.received.some((message) => message.body === 'signedIntermediate')).toBe(false);

      // A CSR for a GNS the cluster is not in is refused too; the stream stays open throughout.
      stream.send({
        csr: {
          gnsId: billingId,
          csrPem: craftCsr({
            keyPair,
            subject: [{ shortName: 'CN', value: intermediateCommonName('rogue') }],
          }),
          rootGeneration: 1,
        },
      });
      await eventually(
        async () =>
          (await caStatus(billingId)).intermediates.find((i) => i.clusterName === 'rogue')?.lastError ?? null,
        (error) => error !== null && /not a member/.test(error),
        15_000,
      );

      // And a good one is signed.
      stream.send({
        csr: {
          gnsId: shopId,
          csrPem: craftCsr({
            keyPair,
            subject: [{ shortName: 'CN', value: intermediateCommonName('rogue') }],
          }),
          rootGeneration: 2,
        },
      });
      const signed = await stream.waitFor((message) => message.body === 'signedIntermediate', 15_000);
      expect(signed.signedIntermediate?.certChainPem).toContain('BEGIN CERTIFICATE');
      expect(signed.signedIntermediate?.certChainPem).not.toMatch(/PRIVATE KEY/);
    } finally {
      stream.cancel();
    }
  }, 60_000);
});
