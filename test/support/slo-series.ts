import type { TestingModule } from '@nestjs/testing';
import {
  SloEvaluationService,
  type SloEvaluationRun,
} from '../../apps/controller/src/features/slos/slo-evaluation.service';
import { SloSeriesService } from '../../apps/controller/src/features/slos/slo-series.service';

/**
 * Runs the SLO series job (late minutes, catch-up, backfill) as of `at` until it has nothing left.
 * Tests drive it themselves: no scheduler runs in an integration test.
 */
export async function repairAllSeries(moduleRef: TestingModule, at: Date | number): Promise<void> {
  const series = moduleRef.get(SloSeriesService);
  for (let round = 0; round < 20; round++) {
    const run = await series.repairSeries(new Date(at), 60_000);
    if (run.lateChunks + run.catchUpChunks + run.backfillChunks === 0) return;
  }
  throw new Error('the SLO series job did not finish in 20 runs');
}

/**
 * Evaluates at `at` the way a new (or redefined) SLO is first judged in production: the run starts
 * its series and leaves it unassessed, the series job backfills it, the next run assesses it.
 * Returns that second run.
 */
export async function evaluateBackfilled(
  moduleRef: TestingModule,
  at: Date | number,
): Promise<SloEvaluationRun | null> {
  const evaluation = moduleRef.get(SloEvaluationService);
  await evaluation.evaluate(new Date(at));
  await repairAllSeries(moduleRef, at);
  return evaluation.evaluate(new Date(at));
}
