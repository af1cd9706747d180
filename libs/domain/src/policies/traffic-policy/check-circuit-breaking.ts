import type { ConnectionPoolSpec, OutlierDetectionSpec } from '../policy-spec';
import { BOUNDS, type Findings } from './findings';

export function checkConnectionPool(pool: ConnectionPoolSpec | undefined, findings: Findings): void {
  if (pool?.tcp?.connectTimeout !== undefined)
    findings.duration('connectionPool.tcp.connectTimeout', pool.tcp.connectTimeout, BOUNDS.connectTimeout);
}

export function checkOutlierDetection(outlier: OutlierDetectionSpec | undefined, findings: Findings): void {
  if (!outlier) return;
  if (outlier.consecutiveErrors < 1)
    findings.error(
      'outlierDetection.consecutiveErrors',
      'must be at least 1 (leave outlierDetection out to disable it)',
    );
  findings.duration('outlierDetection.interval', outlier.interval, BOUNDS.interval);
  findings.duration('outlierDetection.baseEjectionTime', outlier.baseEjectionTime, BOUNDS.baseEjectionTime);
}
