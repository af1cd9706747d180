import { processCpuSeconds, processRssBytes } from './proc-stats';

/** Samples a process every second; summary of CPU cores used and RSS over the sampled window. */
export class UsageSampler {
  private readonly samples: { at: number; cpuSeconds: number; rssBytes: number }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pid: number) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), 1000);
  }

  stop(): UsageSummary {
    clearInterval(this.timer);
    this.sample();
    const first = this.samples[0]!;
    const last = this.samples.at(-1)!;
    const rss = this.samples.map((sample) => sample.rssBytes);
    const third = Math.max(1, Math.floor(rss.length / 3));
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
    return {
      cpuCores: (last.cpuSeconds - first.cpuSeconds) / ((last.at - first.at) / 1000),
      rssMaxMiB: mib(Math.max(...rss)),
      rssFirstThirdMiB: mib(mean(rss.slice(0, third))),
      rssLastThirdMiB: mib(mean(rss.slice(-third))),
    };
  }

  private sample(): void {
    const rssBytes = processRssBytes(this.pid);
    // 0: the process has ended; a zero sample would read as negative CPU.
    if (rssBytes > 0)
      this.samples.push({ at: Date.now(), cpuSeconds: processCpuSeconds(this.pid), rssBytes });
  }
}

export interface UsageSummary {
  /** CPU time per wall-clock second (1 = one core busy). */
  cpuCores: number;
  rssMaxMiB: number;
  /** Mean RSS over the first and the last third of the window: growth shows as a difference. */
  rssFirstThirdMiB: number;
  rssLastThirdMiB: number;
}
