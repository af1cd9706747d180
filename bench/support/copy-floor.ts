import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

const COLUMNS =
  'tenant_id, cluster_id, minute, source_cluster, source_namespace, source_service, destination_namespace, destination_service, requests, errors, sketch';

export interface CopyFloor {
  rows: number;
  streams: number;
  rowsPerSecond: number;
}

/**
 * The floor an ingest is compared with: the same rows (read back from telemetry_minutes) written
 * again by a plain `COPY ... FROM STDIN` into the same table, under a tenant id of their own that is
 * deleted afterwards, over `streams` connections at once (each a share of the rows). Nothing else
 * is done per row: no validation, no batch id, no protocol.
 */
export async function measureCopyFloor(
  databaseUrl: string,
  sampleRows: number,
  streams: number,
): Promise<CopyFloor> {
  const reader = new Client({ connectionString: databaseUrl });
  await reader.connect();
  const tenantId = randomUUID();
  try {
    const chunks: Buffer[] = [];
    const source = reader.query(
      copyTo(
        `COPY (SELECT ${COLUMNS} FROM telemetry_minutes ORDER BY minute DESC LIMIT ${Math.floor(sampleRows)}) TO STDOUT`,
      ),
    );
    for await (const chunk of source) chunks.push(chunk as Buffer);
    // Each line starts with the 36-character tenant id: the copy gets its own.
    const lines = Buffer.concat(chunks)
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => `${tenantId}${line.slice(36)}\n`);
    const shares = Array.from({ length: streams }, (_, index) =>
      lines.filter((_line, lineIndex) => lineIndex % streams === index).join(''),
    );
    const writers = await Promise.all(
      shares.map(async () => {
        const client = new Client({ connectionString: databaseUrl });
        await client.connect();
        return client;
      }),
    );
    const started = performance.now();
    await Promise.all(
      writers.map((client, index) =>
        pipeline(
          Readable.from([shares[index]!]),
          client.query(copyFrom(`COPY telemetry_minutes (${COLUMNS}) FROM STDIN`)),
        ),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(writers.map((client) => client.end()));
    return { rows: lines.length, streams, rowsPerSecond: lines.length / seconds };
  } finally {
    await reader.query('DELETE FROM telemetry_minutes WHERE tenant_id = $1', [tenantId]);
    await reader.end();
  }
}
