import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let clockTicks: number | undefined;

/** Kernel clock ticks per second (`getconf CLK_TCK`, 100 on every Linux this runs on). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (fields 14 and 15,
 * counted after the parenthesised command name, which may itself contain spaces). 0 when the
 * process is gone.
 */
export function processCpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
}

/** Resident memory of a process in bytes, from /proc/<pid>/status `VmRSS`; 0 when the process is gone. */
export function processRssBytes(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Bytes the process passed to write-like system calls so far (/proc/<pid>/io `wchar`): sockets and files. */
export function processBytesWritten(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const io = fs.readFileSync(`/proc/${pid}/io`, 'utf8');
    const match = /^wchar:\s+(\d+)$/m.exec(io);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** The 1-minute load average and the machine's CPUs, to state with every result. */
export function machineLoad(): { load1: number; load5: number; cpus: number } {
  const [load1 = 0, load5 = 0] = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 2).map(Number);
  const cpus = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)?.length ?? 0;
  return { load1, load5, cpus };
}
