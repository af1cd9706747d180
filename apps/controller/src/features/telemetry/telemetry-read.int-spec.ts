import { Test, type TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { floorHour } from '@lattice/domain';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { platformModules } from '../../../../../test/support/platform-modules';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import {
  HOUR,
  MINUTE,
  seedCluster,
  seedGlobalNamespace,
  seedMinuteRows,
  sketchOf,
} from '../../../../../test/support/telemetry';
import { parseControllerEnv } from '../../platform/config/controller-env.util';
import { TelemetryIngestService } from './telemetry-ingest.service';
import { TelemetryQueryService } from './telemetry-query.service';
import { TelemetryModule } from './telemetry.module';
import { TelemetryReadDatabase } from './telemetry-read.database';

/**
 * DATABASE_READ_URL: telemetry queries read the replica, ingest writes the primary. A second
 * database stands in for the replica (with rows of its own, so an answer shows where it was read).
 */
describe('telemetry queries on DATABASE_READ_URL', () => {
  let primary: TestDatabase;
  let replica: TestDatabase;
  let moduleRef: TestingModule;
  let sql: Client;
  let replicaSql: Client;
  const base = floorHour(Date.now()) - 2 * HOUR;

  beforeAll(async () => {
    [primary, replica] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    const env = parseControllerEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      LATTICE_CA_ROOT_KEY_ALGORITHM: 'RSA-2048',
      DATABASE_READ_URL: replica.url,
    });
    moduleRef = await Test.createTestingModule({
      imports: [...platformModules(testRuntimeConfig(primary.url, { env })), TelemetryModule],
    }).compile();
    sql = new Client({ connectionString: primary.url });
    replicaSql = new Client({ connectionString: replica.url });
    await Promise.all([sql.connect(), replicaSql.connect()]);
  });

  afterAll(async () => {
    await sql?.end();
    await replicaSql?.end();
    await moduleRef?.close();
    await Promise.all([primary?.drop(), replica?.drop()]);
  });

  it('reads query rows from the replica and writes ingest to the primary', async () => {
    expect(moduleRef.get(TelemetryReadDatabase).isReplica).toBe(true);
    const tenantId = (
      await sql.query(`INSERT INTO tenants (id, name) VALUES (gen_random_uuid(), 'read') RETURNING id`)
    ).rows[0].id as string;
    const east = await seedCluster(sql, tenantId, 'east');
    const gnsId = await seedGlobalNamespace(sql, tenantId, 'shop', [{ cluster: 'east', namespace: 'shop' }]);
    await moduleRef.get(TelemetryIngestService).ingest(tenantId, east.id, {
      batchId: 'primary-1',
      items: [
        {
          minuteUnixMs: base,
          sourceCluster: '',
          latencyPacked: Buffer.alloc(0),
          sourceNamespace: 'shop',
          sourceService: 'web',
          destinationNamespace: 'shop',
          destinationService: 'cart',
          requests: 10,
          errors: 0,
          latency: sketchOf([5]),
        },
      ],
    });
    await seedMinuteRows(replicaSql, [
      {
        tenantId,
        clusterId: east.id,
        at: base,
        sourceService: 'web',
        destinationService: 'cart',
        requests: 70,
        errors: 7,
        latencies: [5],
      },
    ]);
    const primaryRows = await sql.query(`SELECT sum(requests)::int AS n FROM telemetry_minutes`);
    expect(primaryRows.rows[0].n).toBe(10);
    const points = await moduleRef
      .get(TelemetryQueryService)
      .serviceMetrics(tenantId, gnsId, 'cart', new Date(base), new Date(base + 10 * MINUTE), 600);
    expect(points.map((point) => [point.requests, point.errors])).toEqual([[70, 7]]);
  });
});
