import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '@lattice/platform';
import { bashCompletion } from './commands/completion';
import { schemaFiles } from './commands/schemas';
import { buildProgram } from './program';
import { configPath, loadConfig, resolveContext, saveConfig, useContext, withContext } from './config';
import { CliError, EXIT, exitCodeForStatus, worstExitCode } from './exit-codes';
import { parseDuration } from './io';
import { parseManifestText, sortForApply } from './manifests';
import { renderChanges, table } from './output';
import { KIND_LIST, parseTarget, SCOPED_KINDS } from './target';

describe('config file', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-cli-config-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lives where LATTICE_CONFIG says, else under XDG_CONFIG_HOME or ~/.config', () => {
    expect(configPath({ LATTICE_CONFIG: '/tmp/x.yaml' })).toBe('/tmp/x.yaml');
    expect(configPath({ XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/lattice/config.yaml');
  });

  it('keeps contexts in a file only its owner can read, and switches between them', () => {
    const file = path.join(dir, 'nested', 'config.yaml');
    let config = withContext(loadConfig(file), 'prod', { url: 'https://p', token: 'lat_p' }, true);
    config = withContext(config, 'dev', { url: 'https://d', token: 'lat_d' }, false);
    saveConfig(file, config);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadConfig(file)).toEqual({
      currentContext: 'prod',
      contexts: { prod: { url: 'https://p', token: 'lat_p' }, dev: { url: 'https://d', token: 'lat_d' } },
    });
    expect(resolveContext(useContext(config, 'dev'), undefined, {})).toEqual({
      name: 'dev',
      url: 'https://d',
      token: 'lat_d',
    });
    expect(resolveContext(config, 'dev', {}).url).toBe('https://d');
    expect(() => useContext(config, 'staging')).toThrow(/no context named staging; known: dev, prod/);
  });

  it('prefers LATTICE_URL and LATTICE_TOKEN (CI) and says how to log in when there is nothing', () => {
    const empty = { currentContext: null, contexts: {} };
    expect(resolveContext(empty, undefined, { LATTICE_URL: 'u', LATTICE_TOKEN: 't' })).toMatchObject({
      url: 'u',
      token: 't',
    });
    expect(() => resolveContext(empty, undefined, {})).toThrow(/not logged in: run `lattice login/);
  });

  it('refuses a file that is not a lattice config with exit code 9', () => {
    const file = path.join(dir, 'config.yaml');
    fs.writeFileSync(file, 'contexts: { a: { url: 1 } }\n');
    try {
      loadConfig(file);
      throw new Error('loaded');
    } catch (error) {
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(EXIT.CONFIG);
      expect((error as CliError).details.join('\n')).toContain('contexts.a.url');
    }
  });
});

describe('manifests', () => {
  const gns =
    'apiVersion: lattice.dev/v1alpha1\nkind: GlobalNamespace\nmetadata: { name: shop }\nspec: { domain: shop.local, matchConditions: [] }\n';
  const tp =
    'apiVersion: lattice.dev/v1alpha1\nkind: TrafficPolicy\nmetadata: { name: cart, globalNamespace: shop }\nspec: {}\n';

  it('reads every document of a multi-document file and skips empty ones', () => {
    const { manifests, problems } = parseManifestText(`${tp}---\n${gns}---\n`, 'shop.yaml');
    expect(problems).toEqual([]);
    expect(sortForApply(manifests).map((m) => [m.resource.kind, m.source])).toEqual([
      ['GlobalNamespace', 'shop.yaml#2'],
      ['TrafficPolicy', 'shop.yaml#1'],
    ]);
  });

  it('names the file, the document and the field of every problem, YAML errors included', () => {
    const { problems } = parseManifestText(
      `${gns.replace('shop.local', '7').replace('domain: 7', 'domain: 7, extra: 1')}---\nkey: [unclosed\n`,
      'a.yaml',
    );
    expect(problems).toHaveLength(3);
    expect(problems).toEqual(
      expect.arrayContaining([
        'a.yaml#1: spec: unknown field extra',
        expect.stringMatching(/^a\.yaml#1: spec\.domain: /),
        expect.stringMatching(/^a\.yaml#2: Flow sequence/),
      ]),
    );
  });
});

describe('targets, durations, exit codes and output', () => {
  it('reads kind/name, kind name, gns/service and -g', () => {
    expect(parseTarget('gns/shop', undefined, undefined)).toEqual({ kind: 'GlobalNamespace', name: 'shop' });
    expect(parseTarget('tp', 'shop/cart', undefined)).toEqual({
      kind: 'TrafficPolicy',
      globalNamespace: 'shop',
      name: 'cart',
    });
    expect(parseTarget('trafficpolicy/shop/cart', undefined, undefined)).toMatchObject({ name: 'cart' });
    expect(parseTarget('tp', 'cart', 'shop')).toEqual({
      kind: 'TrafficPolicy',
      globalNamespace: 'shop',
      name: 'cart',
    });
    expect(parseTarget('slos', undefined, undefined)).toEqual({ kind: 'SLO' });
    expect(() => parseTarget('tp', 'cart', undefined)).toThrow(/write <gns>\/cart or add -g <gns>/);
    // Every kind scoped by Global Namespace is named the same way.
    expect(parseTarget('asp/shop/cart', undefined, undefined)).toEqual({
      kind: 'AutoscalingPolicy',
      globalNamespace: 'shop',
      name: 'cart',
    });
    expect(parseTarget('autoscalingpolicies', 'cart', 'shop')).toMatchObject({ globalNamespace: 'shop' });
    expect(() => parseTarget('asp', 'cart', undefined)).toThrow(
      /AutoscalingPolicy names a service of a Global Namespace/,
    );
    expect(() => parseTarget('pods', 'x', undefined)).toThrow(/unknown kind "pods"/);
  });

  it('parses durations', () => {
    expect(['90s', '5m', '1h30m', '2'].map(parseDuration)).toEqual([90_000, 300_000, 5_400_000, 2_000]);
    expect(() => parseDuration('soon')).toThrow(/not a duration/);
  });

  it('maps HTTP statuses to documented exit codes and keeps the worst', () => {
    expect([400, 422, 401, 403, 404, 409, 412, 428, 429, 500, 503].map(exitCodeForStatus)).toEqual([
      3, 3, 4, 4, 5, 6, 6, 6, 8, 8, 8,
    ]);
    expect(worstExitCode(EXIT.OK, EXIT.CONFLICT)).toBe(EXIT.CONFLICT);
    expect(worstExitCode(EXIT.DIFFERENCES, EXIT.OK)).toBe(EXIT.DIFFERENCES);
    expect(worstExitCode(EXIT.INVALID, EXIT.DIFFERENCES)).toBe(EXIT.INVALID);
  });

  it('renders tables and field changes', () => {
    expect(
      table(
        ['NAME', 'V'],
        [
          ['shop', '1'],
          ['a-long-name', '12'],
        ],
      ),
    ).toBe('NAME          V\nshop          1\na-long-name   12\n');
    expect(
      renderChanges([
        { path: 'timeout', before: '5s', after: '10s' },
        { path: 'retries', after: { attempts: 3 } },
      ]),
    ).toBe('    spec.timeout: "5s" → "10s"\n    spec.retries: (absent) → {"attempts":3}');
  });
});

describe('docs/schemas/declarative', () => {
  it('holds the schemas the controller publishes (regenerate with npm run schemas)', () => {
    for (const [name, text] of schemaFiles())
      expect(
        JSON.parse(fs.readFileSync(path.join(projectRoot(), 'docs/schemas/declarative', name), 'utf8')),
      ).toEqual(JSON.parse(text));
  });
});

describe('shell completion', () => {
  it('is generated from the commands themselves: subcommands, their options and kind names', () => {
    const io = { out: () => undefined, err: () => undefined, interactive: false, env: {} };
    const script = bashCompletion(buildProgram(io));
    expect(script).toMatch(/"cluster register"\) words="[^"]*--east-west-address[^"]*--no-wait[^"]*"/);
    expect(script).toMatch(/"get"\) words="[^"]*\bgns\b[^"]*\btrafficpolicies\b/);
    expect(script).toMatch(/"get"\) words="[^"]*\bautoscalingpolicies autoscalingpolicy asp\b/);
    expect(KIND_LIST).toContain('trafficpolicies (tp), securitypolicies (sp)');
    expect(KIND_LIST).toContain('autoscalingpolicies (asp)');
    expect(SCOPED_KINDS).toBe('TrafficPolicy, AutoscalingPolicy');
    expect(script).toContain('complete -o default -F _lattice_completion lattice');
  });
});
