/**
 * A faithful, in-process kube-apiserver for tests: HTTPS, bearer-token authentication, discovery,
 * and the resource verbs of registry.ts, with injectable faults and a request log.
 */
import fs from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ApiError, errors } from './errors';
import { Faults, type RequestAttributes } from './faults';
import { Registry, type Query, type Result, type WriteOptions } from './registry';
import { buildCatalog, groupsOf, grKey, VERBS, type IstioVersion, type ResourceType } from './resources';
import { objectKey, Store } from './store';
import { servingCertificate } from './tls';
import { clone, isObject, type KubeObject } from './util';

export interface StartOptions {
  /** Objects present at start (namespaces default, kube-system, kube-public and kube-node-lease always are). */
  resources?: KubeObject[];
  /** Versions served for networking.istio.io and security.istio.io (default both; [] serves neither group). */
  istioVersions?: IstioVersion[];
  host?: string;
  /** 0 (default): any free port. */
  port?: number;
  /** Bearer token accepted; default a random one. */
  token?: string;
  /** User the token authenticates as (appears in 403 messages). */
  user?: string;
  /** Changes kept for watch resumption and exact-revision lists (default 1000); older ones are "compacted". */
  historySize?: number;
  /** Interval of BOOKMARK events on watches that allow them (default 5000 ms; 0 disables periodic ones). */
  bookmarkIntervalMs?: number;
  /** Watch lifetime when the client sets no timeoutSeconds (default 1800 s, the real minimum request timeout). */
  watchTimeoutSeconds?: number;
  /** Where to write the kubeconfig (default: a new temporary directory). */
  kubeconfigPath?: string;
  /** Version reported by /version (default 1.31). */
  kubernetesVersion?: { major: string; minor: string };
}

export interface RequestRecord {
  time: Date;
  method: string;
  /** Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection) or the HTTP method for non-resource paths. */
  verb: string;
  path: string;
  query: Record<string, string>;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  fieldManager?: string;
  force?: boolean;
  contentType?: string;
  accept?: string;
  userAgent?: string;
  user?: string;
  /** HTTP status sent (undefined while pending or hung). */
  status?: number;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** Direct access to the stored objects for test set-up and assertions (no auth, no faults, not logged; watchers see the changes). */
export interface StoreOps {
  create(object: KubeObject, fieldManager?: string): KubeObject;
  /** Create, or replace unconditionally. */
  upsert(object: KubeObject, fieldManager?: string): KubeObject;
  /** Server-side apply (default manager `test`, forced). */
  apply(object: KubeObject, options?: { fieldManager?: string; force?: boolean }): KubeObject;
  /** JSON merge patch. */
  patch(ref: ObjectRef, patch: Record<string, unknown>, fieldManager?: string): KubeObject;
  /** Replaces .status through the status subresource (or the object itself when it has none). */
  setStatus(ref: ObjectRef, status: unknown): KubeObject;
  get(ref: ObjectRef): KubeObject | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  delete(ref: ObjectRef): void;
  /** The current (latest) resourceVersion. */
  resourceVersion(): string;
  /** Drops the change history: watches and continue tokens from older versions get 410 Gone. */
  compact(): void;
  /** Sends a BOOKMARK now on every watch that allows them. */
  bookmark(): void;
}

export interface KubeApiServer {
  url: string;
  port: number;
  caPem: string;
  token: string;
  user: string;
  kubeconfigPath: string;
  kubeconfigYaml: string;
  store: StoreOps;
  faults: Faults;
  /** Requests received so far, oldest first (optionally filtered). */
  requests(
    filter?: Partial<
      Pick<RequestRecord, 'verb' | 'resource' | 'namespace' | 'name' | 'group' | 'subresource'>
    >,
  ): RequestRecord[];
  clearRequests(): void;
  /** Number of watches currently open. */
  openWatches(): number;
  close(): Promise<void>;
}

const DEFAULT_USER = 'system:serviceaccount:lattice-system:lattice-agent';
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const MAX_BODY = 3 * 1024 * 1024;

interface Resolved extends RequestAttributes {
  apiPrefix?: 'api' | 'apis';
  type?: ResourceType;
  watch: boolean;
}

function resolve(method: string, pathname: string, query: Query): Resolved {
  const parts = pathname.split('/').filter(Boolean);
  const base: Resolved = {
    verb: method.toLowerCase(),
    path: pathname,
    isResourceRequest: false,
    watch: false,
  };
  let rest: string[];
  let group: string;
  let version: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else return base;
  let watch = query.watch === '1' || query.watch === 'true';
  if (rest[0] === 'watch') {
    watch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 2 &&
    !(rest.length >= 3 && ['status', 'finalize'].includes(rest[2]!) && rest.length === 3)
  ) {
    if (rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const [resource, name, subresource, ...extra] = rest;
  const resolved: Resolved = {
    ...base,
    isResourceRequest: true,
    group,
    version,
    ...(resource ? { resource } : {}),
    ...(name ? { name } : {}),
    ...(subresource ? { subresource } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    apiPrefix: parts[0] as 'api' | 'apis',
    watch,
  };
  if (extra.length > 0) resolved.resource = undefined;
  switch (method) {
    case 'GET':
    case 'HEAD':
      resolved.verb = watch ? 'watch' : name ? 'get' : 'list';
      break;
    case 'POST':
      resolved.verb = 'create';
      break;
    case 'PUT':
      resolved.verb = 'update';
      break;
    case 'PATCH':
      resolved.verb = 'patch';
      break;
    case 'DELETE':
      resolved.verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      resolved.verb = method.toLowerCase();
  }
  return resolved;
}

function forbiddenMessage(user: string, request: Resolved): ApiError {
  if (!request.isResourceRequest || !request.resource) {
    return errors.forbiddenPath(`User "${user}" cannot ${request.verb} path "${request.path}"`);
  }
  const resource = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  const scope =
    request.namespace !== undefined ? `in the namespace "${request.namespace}"` : 'at the cluster scope';
  return errors.forbidden(
    { group: request.group ?? '', resource: request.resource },
    request.name,
    `User "${user}" cannot ${request.verb} resource "${resource}" in API group "${request.group ?? ''}" ${scope}`,
  );
}

function failure(status: number, message: string | undefined): ApiError {
  switch (status) {
    case 404:
      return errors.pathNotFound();
    case 429:
      return errors.tooManyRequests();
    case 503:
      return errors.serviceUnavailable(message ?? 'the server is currently unable to handle the request');
    case 504:
      return errors.timeout(
        message ??
          'the server was unable to return a response in the time allotted, but may still be processing the request',
      );
    case 502:
      return new ApiError(502, 'InternalError', message ?? 'bad gateway');
    default:
      return errors.internal(message ?? 'injected failure');
  }
}

function parseBody(text: string, yaml: boolean): unknown {
  if (text.trim() === '') throw errors.badRequest('the body of the request is empty');
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw errors.badRequest(`the body of the request could not be decoded: ${(error as Error).message}`);
  }
}

export async function start(options: StartOptions = {}): Promise<KubeApiServer> {
  const catalog = buildCatalog(options.istioVersions ?? ['v1', 'v1beta1']);
  const store = new Store(options.historySize ?? 1000);
  const registry = new Registry(catalog, store, {
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 5000,
    defaultWatchTimeoutSeconds: options.watchTimeoutSeconds ?? 1800,
  });
  const token =
    options.token ?? `fake-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const user = options.user ?? DEFAULT_USER;
  const certificate = servingCertificate();
  const log: RequestRecord[] = [];
  const sockets = new Set<Socket>();
  const hung = new Set<ServerResponse>();
  const watchClosers = new Set<() => void>();
  let address = '';

  const faults = new Faults({
    expire: () => {
      store.compact();
      for (const watcher of [...store.watchers]) watcher.close(true);
    },
    close: () => {
      for (const watcher of [...store.watchers]) watcher.close(false);
    },
    stall: () => {
      for (const watcher of [...store.watchers]) watcher.stall();
    },
  });

  const typeOf = (apiVersion: string, kind: string): { type: ResourceType; version: string } => {
    const found = registry.findByKind(apiVersion, kind);
    if (!found) throw errors.badRequest(`no kind "${kind}" is registered for version "${apiVersion}"`);
    return found;
  };

  // ------------------------------------------------------------------ discovery

  const resourceList = (group: string, version: string): unknown => {
    const resources: unknown[] = [];
    for (const type of catalog.filter(
      (candidate) => candidate.group === group && candidate.versions.includes(version),
    )) {
      resources.push({
        name: type.resource,
        singularName: type.singular,
        namespaced: type.namespaced,
        kind: type.kind,
        verbs: type.verbs ?? VERBS,
        ...(type.shortNames ? { shortNames: type.shortNames } : {}),
        ...(type.categories ? { categories: type.categories } : {}),
        storageVersionHash: Buffer.from(`${type.group}/${type.versions[0]}/${type.kind}`)
          .toString('base64')
          .slice(0, 12),
      });
      for (const sub of type.subresources) {
        resources.push(
          sub === 'scale'
            ? {
                name: `${type.resource}/scale`,
                singularName: '',
                namespaced: type.namespaced,
                group: 'autoscaling',
                version: 'v1',
                kind: 'Scale',
                verbs: ['get', 'patch', 'update'],
              }
            : {
                name: `${type.resource}/status`,
                singularName: '',
                namespaced: type.namespaced,
                kind: type.kind,
                verbs: ['get', 'patch', 'update'],
              },
        );
      }
    }
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group ? `${group}/${version}` : version,
      resources,
    };
  };

  const apiGroup = (name: string, versions: string[]): Record<string, unknown> => ({
    name,
    versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
    preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
  });

  const discovery = (parts: string[]): Result | undefined => {
    const groups = groupsOf(catalog);
    if (parts.length === 1 && parts[0] === 'api') {
      return {
        status: 200,
        body: {
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: address }],
        },
      };
    }
    if (parts.length === 2 && parts[0] === 'api' && parts[1] === 'v1')
      return { status: 200, body: resourceList('', 'v1') };
    if (parts.length === 1 && parts[0] === 'apis') {
      return {
        status: 200,
        body: {
          kind: 'APIGroupList',
          apiVersion: 'v1',
          groups: [...groups]
            .filter(([name]) => name !== '')
            .map(([name, versions]) => apiGroup(name, versions)),
        },
      };
    }
    if (parts[0] === 'apis' && parts.length === 2 && parts[1] !== '' && groups.has(parts[1]!)) {
      return {
        status: 200,
        body: { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(parts[1]!, groups.get(parts[1]!)!) },
      };
    }
    if (parts[0] === 'apis' && parts.length === 3 && groups.get(parts[1]!)?.includes(parts[2]!)) {
      return { status: 200, body: resourceList(parts[1]!, parts[2]!) };
    }
    return undefined;
  };

  const version = {
    major: options.kubernetesVersion?.major ?? '1',
    minor: options.kubernetesVersion?.minor ?? '31',
  };

  // ------------------------------------------------------------------ resource requests

  const handleResource = (
    request: Resolved,
    query: Query,
    body: string,
    req: IncomingMessage,
    res: ServerResponse,
  ): Result | 'streaming' => {
    const group = request.group ?? '';
    const versionName = request.version ?? '';
    if (!request.resource) {
      // /api/v1 and /apis/g/v handled by discovery; anything else is unknown.
      throw errors.pathNotFound();
    }
    const type = registry.find(group, versionName, request.resource);
    if (!type) throw errors.pathNotFound();
    if (type.namespaced === false && request.namespace !== undefined) throw errors.pathNotFound();
    if (type.verbs && !type.verbs.includes(request.verb)) throw errors.methodNotAllowed();
    const sub = request.subresource;
    if (sub !== undefined && !(type.subresources as string[]).includes(sub)) throw errors.pathNotFound();
    const namespace = type.namespaced ? request.namespace : undefined;
    const contentType = (req.headers['content-type'] ?? '').toString();
    const writeOptions: WriteOptions = {
      ...(query.fieldManager ? { fieldManager: query.fieldManager } : {}),
      ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
      force: query.force === 'true' || query.force === '1',
      dryRun: query.dryRun === 'All',
    };
    if (query.dryRun !== undefined && query.dryRun !== 'All' && query.dryRun !== '') {
      throw errors.badRequest(`dryRun: Unsupported value: "${query.dryRun}": supported values: "All"`);
    }
    const parseWriteBody = (): unknown => {
      const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
      if (mediaType === '' || mediaType === 'application/json') return parseBody(body, false);
      if (mediaType === 'application/yaml') return parseBody(body, true);
      throw errors.unsupportedMediaType(contentType);
    };
    const name = request.name;
    const scope = sub === 'status' ? 'status' : sub === 'scale' ? 'scale' : 'main';

    switch (request.verb) {
      case 'get':
        if (sub === 'scale') return registry.getScale(type, namespace, name!);
        return registry.get(type, versionName, namespace, name!);
      case 'list':
        if (sub) throw errors.methodNotAllowed();
        return registry.list(type, versionName, namespace, query);
      case 'watch': {
        if (sub) throw errors.methodNotAllowed();
        let headersSent = false;
        // The stream may end inside registry.watch (410 before any event), before its closer exists.
        const watchRef: { closer?: () => void } = {};
        watchRef.closer = registry.watch(type, versionName, namespace, name, query, {
          write: (event) => {
            if (!headersSent) {
              res.writeHead(200, {
                'Content-Type': 'application/json',
                'Cache-Control': 'no-cache, private',
                'Transfer-Encoding': 'chunked',
              });
              headersSent = true;
            }
            res.write(`${JSON.stringify(event)}\n`);
          },
          end: () => {
            if (watchRef.closer) watchClosers.delete(watchRef.closer);
            if (!headersSent)
              res.writeHead(200, {
                'Content-Type': 'application/json',
                'Cache-Control': 'no-cache, private',
              });
            headersSent = true;
            res.end();
          },
          onClose: (listener) => res.on('close', listener),
        });
        if (!res.writableEnded) watchClosers.add(watchRef.closer);
        if (!headersSent && !res.writableEnded) {
          res.writeHead(200, {
            'Content-Type': 'application/json',
            'Cache-Control': 'no-cache, private',
            'Transfer-Encoding': 'chunked',
          });
          headersSent = true;
          res.flushHeaders();
        }
        return 'streaming';
      }
      case 'create':
        if (name !== undefined) throw errors.methodNotAllowed();
        return registry.create(type, versionName, namespace, parseWriteBody(), writeOptions);
      case 'update':
        if (name === undefined) throw errors.methodNotAllowed();
        if (sub === 'scale')
          return registry.updateScale(type, versionName, namespace, name, parseWriteBody(), writeOptions);
        return registry.update(type, versionName, namespace, name, parseWriteBody(), scope, writeOptions);
      case 'patch':
        if (name === undefined) throw errors.methodNotAllowed();
        if (sub === 'scale')
          return registry.patchScale(
            type,
            versionName,
            namespace,
            name,
            contentType,
            body,
            parseBody,
            writeOptions,
          );
        return registry.patch(
          type,
          versionName,
          namespace,
          name,
          contentType,
          body,
          parseBody,
          scope,
          writeOptions,
        );
      case 'delete':
        if (sub) throw errors.methodNotAllowed();
        return registry.delete(
          type,
          versionName,
          namespace,
          name!,
          body.trim() ? parseBody(body, contentType.includes('yaml')) : undefined,
          writeOptions,
        );
      case 'deletecollection':
        return registry.deleteCollection(type, versionName, namespace, query, writeOptions);
    }
    throw errors.methodNotAllowed();
  };

  // ------------------------------------------------------------------ HTTP

  const send = (
    res: ServerResponse,
    record: RequestRecord,
    result: Result,
    accept: string,
    extraHeaders: Record<string, string> = {},
  ): void => {
    record.status = result.status;
    if (res.headersSent || res.writableEnded || res.destroyed) return;
    const yaml = /application\/yaml/.test(accept) && !/application\/json|\*\/\*/.test(accept);
    const text =
      typeof result.body === 'string'
        ? result.body
        : yaml
          ? stringifyYaml(result.body)
          : JSON.stringify(result.body);
    res.writeHead(result.status, {
      'Content-Type':
        typeof result.body === 'string'
          ? 'text/plain; charset=utf-8'
          : yaml
            ? 'application/yaml'
            : 'application/json',
      'Cache-Control': 'no-cache, private',
      ...extraHeaders,
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const query: Query = {};
    for (const [key, value] of url.searchParams) query[key] = value;
    const method = req.method ?? 'GET';
    const request = resolve(method, url.pathname, query);
    const accept = (req.headers.accept ?? '').toString();
    const record: RequestRecord = {
      time: new Date(),
      method,
      verb: request.verb,
      path: url.pathname,
      query,
      ...(request.group !== undefined ? { group: request.group } : {}),
      ...(request.version ? { version: request.version } : {}),
      ...(request.resource ? { resource: request.resource } : {}),
      ...(request.subresource ? { subresource: request.subresource } : {}),
      ...(request.namespace !== undefined ? { namespace: request.namespace } : {}),
      ...(request.name ? { name: request.name } : {}),
      ...(query.fieldManager ? { fieldManager: query.fieldManager } : {}),
      ...(query.force !== undefined ? { force: query.force === 'true' } : {}),
      ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
      ...(accept ? { accept } : {}),
      ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
    };
    log.push(record);
    if (query.fieldManager) request.fieldManager = query.fieldManager;
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY)
          throw new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
        chunks.push(chunk as Buffer);
      }
      const body = Buffer.concat(chunks).toString('utf8');

      const authorization = (req.headers.authorization ?? '').toString();
      if (authorization !== `Bearer ${token}`) throw errors.unauthorized();
      record.user = user;

      const delay = faults.take('delay', request);
      if (delay?.ms) await new Promise((resolveDelay) => setTimeout(resolveDelay, delay.ms));
      if (faults.take('hang', request)) {
        hung.add(res);
        res.on('close', () => hung.delete(res));
        return;
      }
      if (faults.take('forbid', request)) throw forbiddenMessage(user, request);
      const failed = faults.take('fail', request);
      if (failed) throw failure(failed.status ?? 500, failed.message);

      const parts = url.pathname.split('/').filter(Boolean);
      if (
        method === 'GET' &&
        (url.pathname === '/healthz' || url.pathname === '/livez' || url.pathname === '/readyz')
      ) {
        send(res, record, { status: 200, body: 'ok' }, accept);
        return;
      }
      if (method === 'GET' && url.pathname === '/version') {
        send(
          res,
          record,
          {
            status: 200,
            body: {
              ...version,
              gitVersion: `v${version.major}.${version.minor}.0`,
              gitCommit: '0000000000000000000000000000000000000000',
              gitTreeState: 'clean',
              buildDate: '2026-01-01T00:00:00Z',
              goVersion: 'go1.22.5',
              compiler: 'gc',
              platform: 'linux/amd64',
            },
          },
          accept,
        );
        return;
      }
      const found = method === 'GET' ? discovery(parts) : undefined;
      if (found) {
        send(res, record, found, accept);
        return;
      }
      if (!request.isResourceRequest) throw errors.pathNotFound();
      if (accept && !/application\/json|application\/yaml|\*\/\*/.test(accept)) throw errors.notAcceptable();
      const result = handleResource(request, query, body, req, res);
      if (result === 'streaming') {
        record.status = 200;
        return;
      }
      send(res, record, result, accept);
    } catch (error) {
      const apiError =
        error instanceof ApiError
          ? error
          : errors.internal(error instanceof Error ? error.message : String(error));
      send(res, record, { status: apiError.code, body: apiError.toStatus() }, accept, apiError.headers);
    }
  };

  const server = https.createServer({ cert: certificate.certPem, key: certificate.keyPem }, (req, res) => {
    void handle(req, res);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolveListen());
  });
  const port = (server.address() as { port: number }).port;
  address = `${host}:${port}`;
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;

  // ------------------------------------------------------------------ seed

  const ops: StoreOps = {
    create: (object, fieldManager = 'test') => {
      const { type, version: v } = typeOf(object.apiVersion ?? '', object.kind ?? '');
      const namespace = type.namespaced ? (object.metadata?.namespace ?? 'default') : undefined;
      return registry.create(type, v, namespace, object, { fieldManager }).body as KubeObject;
    },
    upsert: (object, fieldManager = 'test') => {
      const { type, version: v } = typeOf(object.apiVersion ?? '', object.kind ?? '');
      const namespace = type.namespaced ? (object.metadata?.namespace ?? 'default') : undefined;
      const existing = store.get(
        grKey(type.group, type.resource),
        objectKey(namespace, object.metadata?.name ?? ''),
      );
      if (!existing) return ops.create(object, fieldManager);
      const body = clone(object);
      body.metadata = { ...(body.metadata ?? {}), resourceVersion: existing.metadata!.resourceVersion! };
      return registry.update(type, v, namespace, object.metadata!.name!, body, 'main', { fieldManager })
        .body as KubeObject;
    },
    apply: (object, applyOptions = {}) => {
      const { type, version: v } = typeOf(object.apiVersion ?? '', object.kind ?? '');
      const namespace = type.namespaced ? (object.metadata?.namespace ?? 'default') : undefined;
      return registry.patch(
        type,
        v,
        namespace,
        object.metadata?.name ?? '',
        'application/apply-patch+yaml',
        JSON.stringify(object),
        parseBody,
        'main',
        {
          fieldManager: applyOptions.fieldManager ?? 'test',
          force: applyOptions.force ?? true,
        },
      ).body as KubeObject;
    },
    patch: (ref, patch, fieldManager = 'test') => {
      const { type, version: v } = typeOf(ref.apiVersion, ref.kind);
      return registry.patch(
        type,
        v,
        type.namespaced ? (ref.namespace ?? 'default') : undefined,
        ref.name,
        'application/merge-patch+json',
        JSON.stringify(patch),
        parseBody,
        'main',
        { fieldManager },
      ).body as KubeObject;
    },
    setStatus: (ref, status) => {
      const { type, version: v } = typeOf(ref.apiVersion, ref.kind);
      const namespace = type.namespaced ? (ref.namespace ?? 'default') : undefined;
      const existing = store.get(grKey(type.group, type.resource), objectKey(namespace, ref.name));
      if (!existing) throw errors.notFound(registry.gr(type), ref.name);
      const body = { ...registry.present(type, v, existing), status };
      const scope = type.subresources.includes('status') ? 'status' : 'main';
      return registry.update(type, v, namespace, ref.name, body, scope, { fieldManager: 'test' })
        .body as KubeObject;
    },
    get: (ref) => {
      const { type, version: v } = typeOf(ref.apiVersion, ref.kind);
      const object = store.get(
        grKey(type.group, type.resource),
        objectKey(type.namespaced ? (ref.namespace ?? 'default') : undefined, ref.name),
      );
      return object ? registry.present(type, v, object) : undefined;
    },
    list: (apiVersion, kind, namespace) => {
      const { type, version: v } = typeOf(apiVersion, kind);
      return store
        .list(grKey(type.group, type.resource), type.namespaced ? namespace : undefined)
        .map(({ object }) => registry.present(type, v, object));
    },
    delete: (ref) => {
      const { type, version: v } = typeOf(ref.apiVersion, ref.kind);
      registry.delete(
        type,
        v,
        type.namespaced ? (ref.namespace ?? 'default') : undefined,
        ref.name,
        undefined,
        {},
      );
    },
    resourceVersion: () => String(store.currentRv),
    compact: () => store.compact(),
    bookmark: () => {
      for (const watcher of store.watchers) watcher.bookmark(store.currentRv);
    },
  };

  for (const name of SYSTEM_NAMESPACES)
    ops.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, 'kube-apiserver');
  const seeds = options.resources ?? [];
  // Namespaces first, so namespaced seeds find theirs.
  for (const object of [
    ...seeds.filter((seed) => seed.kind === 'Namespace'),
    ...seeds.filter((seed) => seed.kind !== 'Namespace'),
  ]) {
    if (object.kind === 'Namespace' && SYSTEM_NAMESPACES.includes(object.metadata?.name ?? ''))
      ops.upsert(object);
    else ops.create(object);
    if (
      isObject(object.status) &&
      typeOf(object.apiVersion ?? '', object.kind ?? '').type.subresources.includes('status')
    ) {
      ops.setStatus(
        {
          apiVersion: object.apiVersion!,
          kind: object.kind!,
          name: object.metadata!.name!,
          namespace: object.metadata?.namespace ?? 'default',
        },
        object.status,
      );
    }
  }

  // ------------------------------------------------------------------ kubeconfig

  const kubeconfigYaml = stringifyYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'fake',
        cluster: {
          server: url,
          'certificate-authority-data': Buffer.from(certificate.caPem).toString('base64'),
        },
      },
    ],
    users: [{ name: 'lattice-agent', user: { token } }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'lattice-agent', namespace: 'default' } }],
    'current-context': 'fake',
    preferences: {},
  });
  const kubeconfigPath =
    options.kubeconfigPath ??
    path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fake-kube-apiserver-')), 'kubeconfig');
  fs.writeFileSync(kubeconfigPath, kubeconfigYaml, { mode: 0o600 });

  let closed = false;
  return {
    url,
    port,
    caPem: certificate.caPem,
    token,
    user,
    kubeconfigPath,
    kubeconfigYaml,
    store: ops,
    faults,
    requests: (filter) =>
      log.filter((record) =>
        Object.entries(filter ?? {}).every(([key, value]) => record[key as keyof RequestRecord] === value),
      ),
    clearRequests: () => {
      log.length = 0;
    },
    openWatches: () => store.watchers.size,
    close: async () => {
      if (closed) return;
      closed = true;
      for (const closer of [...watchClosers]) closer();
      for (const res of hung) res.destroy();
      const done = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      for (const socket of sockets) socket.destroy();
      await done;
    },
  };
}
