import fs from 'node:fs';
import path from 'node:path';
import { Controller, Get, Header, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/permissions.decorator';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config.types';

/** The files GraphiQL needs, from node_modules (no CDN: the page works offline). */
const ASSETS: Record<string, { file: () => string; type: string }> = {
  'react.production.min.js': {
    file: () => packageFile('react', 'umd/react.production.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'react-dom.production.min.js': {
    file: () => packageFile('react-dom', 'umd/react-dom.production.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'graphiql.min.js': {
    file: () => packageFile('graphiql', 'graphiql.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'graphiql.min.css': {
    file: () => packageFile('graphiql', 'graphiql.min.css'),
    type: 'text/css; charset=utf-8',
  },
};

function packageFile(name: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${name}/package.json`)), file);
}

/** Everything from this origin; styles inline (React sets style attributes); never framed. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'";

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Lattice GraphiQL</title>
<link rel="stylesheet" href="/graphiql/assets/graphiql.min.css">
<style>
  body { margin: 0; height: 100vh; display: flex; flex-direction: column; font-family: system-ui, sans-serif; }
  #token-bar { display: flex; gap: 8px; align-items: center; padding: 6px 10px; background: #f3f4f6; border-bottom: 1px solid #ddd; font-size: 14px; }
  #token-bar input { flex: 1; max-width: 480px; }
  #graphiql { flex: 1; min-height: 0; }
</style>
</head>
<body>
<form id="token-bar">
  <label for="token">API token</label>
  <input id="token" type="password" autocomplete="off" placeholder="lat_… (kept in this tab's sessionStorage)">
  <button type="submit">Use token</button>
  <button type="button" id="forget">Forget</button>
  <span id="token-state"></span>
</form>
<div id="graphiql"></div>
<script src="/graphiql/assets/react.production.min.js"></script>
<script src="/graphiql/assets/react-dom.production.min.js"></script>
<script src="/graphiql/assets/graphiql.min.js"></script>
<script src="/graphiql/assets/start.js"></script>
</body>
</html>
`;

/** Asks for the token, keeps it in sessionStorage, sends it as Authorization on every request. */
const START_SCRIPT = `'use strict';
(function () {
  var KEY = 'lattice.graphiql.token';
  var input = document.getElementById('token');
  var state = document.getElementById('token-state');
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  var generation = 0;
  function fetcher(params) {
    var token = sessionStorage.getItem(KEY);
    var headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    return fetch('/graphql', { method: 'POST', headers: headers, body: JSON.stringify(params) }).then(
      function (response) { return response.json(); }
    );
  }
  function render() {
    var token = sessionStorage.getItem(KEY);
    state.textContent = token ? 'token set for this tab' : 'no token: enter one to load the schema';
    generation += 1;
    root.render(React.createElement(GraphiQL, { key: generation, fetcher: fetcher }));
  }
  document.getElementById('token-bar').addEventListener('submit', function (event) {
    event.preventDefault();
    var token = input.value.trim();
    if (token) sessionStorage.setItem(KEY, token);
    input.value = '';
    render();
  });
  document.getElementById('forget').addEventListener('click', function () {
    sessionStorage.removeItem(KEY);
    render();
  });
  render();
})();
`;

/**
 * GraphiQL served by the controller, with its assets from node_modules, so it works offline and
 * loads nothing from a CDN. The page is public (it holds no data); the schema and every query need
 * the token the page asks for.
 */
@ApiExcludeController()
@Controller('graphiql')
export class GraphiqlController {
  constructor(@Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig) {}

  @Public()
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
  @Header('Cache-Control', 'no-cache')
  page(): string {
    this.requireEnabled();
    return PAGE;
  }

  @Public()
  @Get('assets/:name')
  asset(@Param('name') name: string, @Res() response: Response): void {
    this.requireEnabled();
    if (name === 'start.js') {
      response.type('text/javascript; charset=utf-8').send(START_SCRIPT);
      return;
    }
    const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!asset) throw new NotFoundException(`no GraphiQL asset named ${name}`);
    response.setHeader('Content-Type', asset.type);
    response.setHeader('Cache-Control', 'public, max-age=3600');
    fs.createReadStream(asset.file())
      .on('error', () => response.destroy())
      .pipe(response);
  }

  /** GraphiQL loads the schema by introspection: without it, there is no GraphiQL. */
  private requireEnabled(): void {
    if (!this.config.env.LATTICE_GRAPHQL_INTROSPECTION)
      throw new NotFoundException('GraphiQL is off (LATTICE_GRAPHQL_INTROSPECTION=false)');
  }
}
