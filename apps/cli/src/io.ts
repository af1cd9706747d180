import { createSpinner } from 'nanospinner';
import { CliError, EXIT } from './exit-codes';

/** Where a command writes, and whether a person is watching (spinners) or a script (plain lines). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  interactive: boolean;
  env: NodeJS.ProcessEnv;
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
    env: process.env,
  };
}

/** Progress while waiting: a spinner on a terminal, a line per change of state otherwise. */
export interface Progress {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
}

export function progress(io: CliIo, text: string): Progress {
  if (io.interactive) {
    const spinner = createSpinner(text, { stream: process.stderr }).start();
    return {
      update: (next) => spinner.update({ text: next }),
      succeed: (next) => spinner.success({ text: next }),
      fail: (next) => spinner.error({ text: next }),
    };
  }
  let last = text;
  io.err(`${text}\n`);
  return {
    update: (next) => {
      if (next !== last) io.err(`${next}\n`);
      last = next;
    },
    succeed: (next) => io.err(`${next}\n`),
    fail: (next) => io.err(`${next}\n`),
  };
}

/** "90s", "5m", "1h", "1h30m" or plain seconds → milliseconds. */
export function parseDuration(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!match || text === '')
    throw new CliError(`not a duration: ${JSON.stringify(text)} (use e.g. 90s, 5m, 1h)`, EXIT.USAGE);
  const [, hours = '0', minutes = '0', seconds = '0'] = match;
  return ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
