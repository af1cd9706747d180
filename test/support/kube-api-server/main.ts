/**
 * Standalone fake kube-apiserver, for e2e tests that need it in another process and for humans:
 *
 *   node test/support/kube-api-server/run.cjs --port 6443 --istio-versions v1,v1beta1
 *
 * Prints the kubeconfig path as the first line of stdout, then runs until SIGINT/SIGTERM.
 */
import { parse as parseYaml } from 'yaml';
import fs from 'node:fs';
import { start, type StartOptions } from './server';
import type { IstioVersion } from './resources';
import type { KubeObject } from './util';

const USAGE = `usage: run.cjs [--port N] [--host H] [--istio-versions v1,v1beta1|none] [--token T] [--user U]
               [--kubeconfig PATH] [--seed FILE.yaml] [--bookmark-interval-ms N] [--history-size N]`;

function parseArgs(argv: string[]): StartOptions {
  const options: StartOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return next;
    };
    switch (flag) {
      case '--port':
        options.port = Number(value());
        break;
      case '--host':
        options.host = value();
        break;
      case '--istio-versions': {
        const raw = value();
        const versions = raw === 'none' ? [] : raw.split(',').map((version) => version.trim());
        for (const version of versions)
          if (version !== 'v1' && version !== 'v1beta1')
            throw new Error(`unknown Istio version ${version}\n${USAGE}`);
        options.istioVersions = versions as IstioVersion[];
        break;
      }
      case '--token':
        options.token = value();
        break;
      case '--user':
        options.user = value();
        break;
      case '--kubeconfig':
        options.kubeconfigPath = value();
        break;
      case '--seed':
        options.resources = parseYamlDocuments(fs.readFileSync(value(), 'utf8'));
        break;
      case '--bookmark-interval-ms':
        options.bookmarkIntervalMs = Number(value());
        break;
      case '--history-size':
        options.historySize = Number(value());
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown flag ${flag}\n${USAGE}`);
    }
  }
  return options;
}

function parseYamlDocuments(text: string): KubeObject[] {
  return text
    .split(/^---\s*$/m)
    .filter((document) => document.trim() !== '')
    .map((document) => parseYaml(document) as KubeObject)
    .filter((object) => object && typeof object === 'object');
}

async function main(): Promise<void> {
  const server = await start(parseArgs(process.argv.slice(2)));
  process.stdout.write(`${server.kubeconfigPath}\n`);
  process.stderr.write(`fake kube-apiserver listening on ${server.url} (token in the kubeconfig)\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
