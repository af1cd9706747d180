import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { projectRoot } from '@lattice/platform';

export interface InventoryFile {
  namespaces: { name: string; labels?: Record<string, string> }[];
  services: {
    namespace: string;
    name: string;
    labels?: Record<string, string>;
    ports: { name: string; port: number; protocol: string; targetPort?: number }[];
    endpointGroups?: { labels: Record<string, string>; ready: number; notReady?: number }[];
  }[];
  /** The cluster's Istio installation (apps/agent/src/mesh/mesh-file.schema.ts). */
  mesh?: Record<string, unknown>;
}

/**
 * A real agent process, as docs/agent.md tells users to run it: file inventory source and
 * directory sink by default; with `kubeconfigPath` the Kubernetes sink against that cluster, and
 * with `inventory: 'kubernetes'` the Kubernetes inventory too (KUBECONFIG pointing at the cluster).
 */
export class AgentProcess {
  readonly dir: string;
  readonly stateDir: string;
  readonly outputDir: string;
  readonly inventoryFile: string;
  private child?: ChildProcess;
  private output = '';
  private exit?: Promise<number | null>;

  constructor(
    readonly clusterName: string,
    private readonly options: {
      controllerAddress: () => string;
      caPem: string;
      bootstrapToken: string;
      extraArgs?: string[];
      /** Apply with `--sink kubernetes` to the cluster of this kubeconfig instead of a directory. */
      kubeconfigPath?: string;
      /** Where the inventory comes from: the inventory file (default) or the cluster's API. */
      inventory?: 'file' | 'kubernetes';
    },
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `lattice-agent-${clusterName}-`));
    this.stateDir = path.join(this.dir, 'state');
    this.outputDir = path.join(this.dir, 'manifests');
    this.inventoryFile = path.join(this.dir, 'inventory.yaml');
    fs.writeFileSync(path.join(this.dir, 'ca.pem'), options.caPem);
  }

  get logs(): string {
    return this.output;
  }

  writeInventory(inventory: InventoryFile): void {
    const temporary = `${this.inventoryFile}.tmp`;
    fs.writeFileSync(temporary, stringify(inventory));
    fs.renameSync(temporary, this.inventoryFile);
  }

  start(): void {
    this.output = '';
    const kubeconfig = this.options.kubeconfigPath;
    const inventoryArgs =
      kubeconfig && this.options.inventory === 'kubernetes'
        ? ['--inventory', 'kubernetes']
        : ['--inventory-file', this.inventoryFile];
    const sinkArgs = kubeconfig ? ['--sink', 'kubernetes'] : ['--output-dir', this.outputDir];
    // The tests' own Node.js: the one package.json pins.
    this.child = spawn(
      process.execPath,
      [
        path.join(projectRoot(), 'dist/apps/agent/src/main.js'),
        '--controller',
        this.options.controllerAddress(),
        '--cluster-name',
        this.clusterName,
        '--bootstrap-token',
        this.options.bootstrapToken,
        '--ca-file',
        path.join(this.dir, 'ca.pem'),
        '--state-dir',
        this.stateDir,
        ...inventoryArgs,
        ...sinkArgs,
        '--heartbeat-seconds',
        '2',
        '--log-level',
        process.env.TEST_LOG_LEVEL ?? 'warn',
        // Many agents (and controllers) on one machine: any free port each.
        '--http-port',
        '0',
        ...(this.options.extraArgs ?? []),
      ],
      {
        env: {
          PATH: process.env.PATH ?? '',
          NODE_NO_WARNINGS: '1',
          ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const child = this.child;
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  /** The exit code of the running process once it exits on its own, or null on timeout. */
  async exited(timeoutMs: number): Promise<number | null | 'running'> {
    if (!this.exit) throw new Error('the agent was never started');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'running'>(
      (resolve) => (timer = setTimeout(() => resolve('running'), timeoutMs)),
    );
    try {
      return await Promise.race([this.exit, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  /** Rendered manifests by file name. */
  manifests(): string[] {
    if (!fs.existsSync(this.outputDir)) return [];
    return fs
      .readdirSync(this.outputDir)
      .filter((file) => file.endsWith('.yaml'))
      .sort();
  }

  read(file: string): string {
    return fs.readFileSync(path.join(this.outputDir, file), 'utf8');
  }

  /**
   * Every rendered manifest whose file name passes `keep`, as text. The agent writes and prunes
   * while this reads, so a file listed a moment ago may be gone: it is left out, not an error.
   */
  readManifests(keep: (file: string) => boolean): string[] {
    return this.manifests()
      .filter(keep)
      .flatMap((file) => {
        try {
          return [this.read(file)];
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
          throw error;
        }
      });
  }
}
