import fs from 'node:fs';

/** CPU time (user + system, seconds) and resident memory of a process, from /proc (Linux). */
export function processUsage(pid: number): { cpuSeconds: number; rssBytes: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = /VmRSS:\s+(\d+) kB/.exec(status);
  return { cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND, rssBytes: rss ? Number(rss[1]) * 1024 : 0 };
}

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

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
    try {
      this.samples.push({ at: Date.now(), ...processUsage(this.pid) });
    } catch {
      // the process ended
    }
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
