import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Debian's package installs it here; `.ci/run` installs it when missing. */
export const PROMETHEUS_BINARY = process.env.PROMETHEUS_BINARY ?? '/usr/bin/prometheus';

/**
 * A real Prometheus server on a loopback port chosen by the OS, scraping the given targets every
 * second, with its configuration and TSDB in a temporary folder that stop() removes.
 */
export class PrometheusServer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly url: string,
    private readonly logs: () => string,
  ) {}

  static async start(
    targets: string[],
    options: { metricsPath?: string; startTimeoutMs?: number } = {},
  ): Promise<PrometheusServer> {
    if (!fs.existsSync(PROMETHEUS_BINARY)) {
      throw new Error(
        `${PROMETHEUS_BINARY} is missing: apt-get install -y --no-install-recommends prometheus (or set PROMETHEUS_BINARY)`,
      );
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-prometheus-'));
    const config = path.join(dir, 'prometheus.yml');
    fs.writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: istio-fixture',
        `    metrics_path: ${JSON.stringify(options.metricsPath ?? '/metrics')}`,
        `    static_configs: [{ targets: ${JSON.stringify(targets)} }]`,
        '',
      ].join('\n'),
    );
    const child = spawn(
      PROMETHEUS_BINARY,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        '--web.listen-address=127.0.0.1:0',
        '--log.level=info',
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const listening = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Prometheus did not start listening:\n${output}`)),
        options.startTimeoutMs ?? 30_000,
      );
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        // With port 0 the "Listening on" line names the port the OS chose.
        const match = /msg="Listening on" address=(127\.0\.0\.1:\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Prometheus exited with ${code}:\n${output}`));
      });
    });
    try {
      const address = await listening;
      return new PrometheusServer(child, dir, `http://${address}`, () => output);
    } catch (error) {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  get output(): string {
    return this.logs();
  }

  /** Polls an instant query until `accept` holds for its samples; returns them. */
  async waitForQuery(
    query: string,
    accept: (samples: Array<{ metric: Record<string, string>; value: [number, string] }>) => boolean,
    timeoutMs = 30_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(query)}`).catch(
        () => undefined,
      );
      if (response?.ok) {
        const body = (await response.json()) as {
          data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
        };
        last = JSON.stringify(body.data.result);
        if (accept(body.data.result)) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`Prometheus query ${query} did not reach the expected answer; last: ${last}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
