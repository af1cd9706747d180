// The percentile math is shared with the fleet simulator (and unit-tested there).
export { percentile, summarize, type SampleSummary } from '../../apps/sim/src/stats.util';
