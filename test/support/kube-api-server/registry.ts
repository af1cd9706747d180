/**
 * The REST semantics of one resource type, after the generic registry of the real server
 * ("API Conventions": Concurrency Control and Consistency, Idempotency, Metadata, Spec and Status;
 * "API Concepts": Efficient detection of changes, Retrieving large results sets in chunks,
 * Resource versions, Server-side apply, Dry-run).
 */
import crypto from 'node:crypto';
import { ApiError, errors, type GroupResource } from './errors';
import { apply, conflictCauses, conflictMessage, recordUpdate, type Scope } from './managed-fields';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch';
import { grKey, type ResourceType } from './resources';
import {
  formatLabelSelector,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  type FieldRequirement,
  type Selector,
} from './selectors';
import { objectKey, type EventType, type Store, type Watcher } from './store';
import { clone, deepEqual, isObject, randomSuffix, timestamp, type KubeObject } from './util';

export type Query = Record<string, string>;

export interface WriteOptions {
  fieldManager?: string;
  userAgent?: string;
  force?: boolean;
  dryRun?: boolean;
}

export interface Result {
  status: number;
  body: unknown;
}

export interface WatchStream {
  write(event: { type: string; object: unknown }): void;
  end(): void;
  onClose(listener: () => void): void;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const PATCH_TYPES = {
  apply: 'application/apply-patch+yaml',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
} as const;

export class Registry {
  private clusterIpCounter = 10;

  constructor(
    readonly catalog: ResourceType[],
    readonly store: Store,
    private readonly options: { bookmarkIntervalMs: number; defaultWatchTimeoutSeconds: number },
  ) {}

  find(group: string, version: string, resource: string): ResourceType | undefined {
    return this.catalog.find(
      (type) => type.group === group && type.resource === resource && type.versions.includes(version),
    );
  }

  findByKind(apiVersion: string, kind: string): { type: ResourceType; version: string } | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const type = this.catalog.find(
      (candidate) =>
        candidate.group === group && candidate.kind === kind && candidate.versions.includes(version!),
    );
    return type ? { type, version: version! } : undefined;
  }

  gr(type: ResourceType): GroupResource {
    return { group: type.group, resource: type.resource };
  }

  private key(type: ResourceType): string {
    return grKey(type.group, type.resource);
  }

  private groupVersion(type: ResourceType, version: string): string {
    return type.group ? `${type.group}/${version}` : version;
  }

  /** The stored object as the requested version shows it (same fields; apiVersion rewritten). */
  present(type: ResourceType, version: string, object: KubeObject): KubeObject {
    const { apiVersion: _apiVersion, kind: _kind, ...rest } = object;
    return { apiVersion: this.groupVersion(type, version), kind: type.kind, ...rest };
  }

  private existing(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const object = this.store.get(this.key(type), objectKey(type.namespaced ? namespace : undefined, name));
    if (!object) throw errors.notFound(this.gr(type), name);
    return object;
  }

  get(type: ResourceType, version: string, namespace: string | undefined, name: string): Result {
    return { status: 200, body: this.present(type, version, this.existing(type, namespace, name)) };
  }

  // ---------------------------------------------------------------- list & watch

  private selectors(type: ResourceType, query: Query): { labels: Selector; fields: FieldRequirement[] } {
    const labels = parseLabelSelector(query.labelSelector);
    const fields = parseFieldSelector(
      query.fieldSelector,
      (field) =>
        field === 'metadata.name' || field === 'metadata.namespace' || Boolean(type.fieldSelectors?.[field]),
    );
    return { labels, fields };
  }

  private matcher(
    type: ResourceType,
    selectors: { labels: Selector; fields: FieldRequirement[] },
  ): (object: KubeObject) => boolean {
    return (object) =>
      matchesLabels(selectors.labels, object.metadata?.labels) &&
      matchesFields(selectors.fields, (field) => {
        if (field === 'metadata.name') return object.metadata?.name;
        if (field === 'metadata.namespace') return object.metadata?.namespace ?? '';
        return type.fieldSelectors?.[field]?.(object);
      });
  }

  private parseRv(value: string, field = 'resourceVersion'): number {
    if (!/^\d+$/.test(value)) {
      throw errors.badRequest(
        `${field}: Invalid value: "${value}": strconv.ParseUint: parsing "${value}": invalid syntax`,
      );
    }
    return Number(value);
  }

  private tooLarge(rv: number): ApiError {
    return errors.timeout(`Too large resource version: ${rv}, current: ${this.store.currentRv}`, [
      { type: 'ResourceVersionTooLarge', message: 'Too large resource version' },
    ]);
  }

  private invalidListOptions(field: string, message: string): ApiError {
    return errors.invalid('ListOptions', 'meta.k8s.io', '', [
      { field, reason: 'FieldValueForbidden', message },
    ]);
  }

  list(type: ResourceType, version: string, namespace: string | undefined, query: Query): Result {
    const selectors = this.selectors(type, query);
    const matches = this.matcher(type, selectors);
    const limit = query.limit ? Number(query.limit) : 0;
    if (!Number.isInteger(limit) || limit < 0)
      throw errors.badRequest(`limit: Invalid value: "${query.limit}"`);
    const rvParam = query.resourceVersion;
    const match = query.resourceVersionMatch;
    if (match !== undefined && match !== '' && !['Exact', 'NotOlderThan'].includes(match)) {
      throw errors.invalid('ListOptions', 'meta.k8s.io', '', [
        {
          field: 'resourceVersionMatch',
          reason: 'FieldValueNotSupported',
          message: `Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`,
        },
      ]);
    }
    if (match && !rvParam)
      throw this.invalidListOptions(
        'resourceVersionMatch',
        'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
      );
    if (match === 'Exact' && rvParam === '0')
      throw this.invalidListOptions(
        'resourceVersionMatch',
        'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
      );
    const bucketNamespace = type.namespaced ? namespace : undefined;

    let snapshotRv = this.store.currentRv;
    let items: Array<{ key: string; object: KubeObject }>;
    if (query.continue) {
      if (rvParam && rvParam !== '0')
        throw errors.badRequest('specifying resource version is not allowed when using continue');
      const token = decodeContinue(query.continue);
      if (token.rv < this.store.oldestRv) {
        throw errors.gone(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        );
      }
      snapshotRv = token.rv;
      items = this.store
        .listAt(this.key(type), bucketNamespace, token.rv)
        .filter(({ key }) => key > token.start);
    } else if (match === 'Exact') {
      snapshotRv = this.parseRv(rvParam!);
      if (snapshotRv > this.store.currentRv) throw this.tooLarge(snapshotRv);
      items = this.store.listAt(this.key(type), bucketNamespace, snapshotRv);
    } else {
      if (rvParam && rvParam !== '0') {
        const minimum = this.parseRv(rvParam);
        if (minimum > this.store.currentRv) throw this.tooLarge(minimum);
      }
      items = this.store.list(this.key(type), bucketNamespace);
    }
    const filtered = items.filter(({ object }) => matches(object));
    const page = limit > 0 ? filtered.slice(0, limit) : filtered;
    const metadata: Record<string, unknown> = { resourceVersion: String(snapshotRv) };
    if (limit > 0 && filtered.length > limit) {
      metadata.continue = encodeContinue(snapshotRv, page[page.length - 1]!.key);
      if (selectors.labels.length === 0 && selectors.fields.length === 0)
        metadata.remainingItemCount = filtered.length - limit;
    }
    return {
      status: 200,
      body: {
        apiVersion: this.groupVersion(type, version),
        kind: type.listKind,
        metadata,
        items: page.map(({ object }) => {
          const presented = this.present(type, version, object);
          // Built-in lists omit each item's apiVersion/kind; custom resource lists keep them.
          if (!type.custom) {
            delete presented.apiVersion;
            delete presented.kind;
          }
          return presented;
        }),
      },
    };
  }

  /** Starts a watch; throws (as an HTTP error) only for invalid requests, never for expired versions. */
  watch(
    type: ResourceType,
    version: string,
    namespace: string | undefined,
    name: string | undefined,
    query: Query,
    stream: WatchStream,
  ): () => void {
    const fieldSelector = name
      ? [query.fieldSelector, `metadata.name=${name}`].filter(Boolean).join(',')
      : query.fieldSelector;
    const selectors = this.selectors(type, { ...query, ...(fieldSelector ? { fieldSelector } : {}) });
    const matches = this.matcher(type, selectors);
    const bookmarks = query.allowWatchBookmarks === 'true' || query.allowWatchBookmarks === '1';
    const sendInitialEvents = query.sendInitialEvents === 'true';
    if (sendInitialEvents && query.resourceVersionMatch !== 'NotOlderThan') {
      throw this.invalidListOptions(
        'sendInitialEvents',
        'Forbidden: sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan',
      );
    }
    if (!sendInitialEvents && query.resourceVersionMatch) {
      throw this.invalidListOptions(
        'resourceVersionMatch',
        'Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
      );
    }
    if (sendInitialEvents && !bookmarks) {
      throw this.invalidListOptions(
        'allowWatchBookmarks',
        'Forbidden: allowWatchBookmarks must be set to true when sendInitialEvents is provided',
      );
    }
    const rvParam = query.resourceVersion ?? '';
    const startRv = rvParam === '' || rvParam === '0' ? undefined : this.parseRv(rvParam);
    const timeoutSeconds =
      Number(query.timeoutSeconds) > 0
        ? Number(query.timeoutSeconds)
        : this.options.defaultWatchTimeoutSeconds;
    const groupVersion = this.groupVersion(type, version);
    const bucketNamespace = type.namespaced ? namespace : undefined;

    let closed = false;
    let stalled = false;
    const timers: NodeJS.Timeout[] = [];
    const bookmark = (rv: number, annotations?: Record<string, string>): void => {
      if (!closed && !stalled && bookmarks) {
        stream.write({
          type: 'BOOKMARK',
          object: {
            kind: type.kind,
            apiVersion: groupVersion,
            metadata: { resourceVersion: String(rv), ...(annotations ? { annotations } : {}) },
          },
        });
      }
    };
    const finish = (): void => {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      this.store.unwatch(watcher);
      stream.end();
    };
    const expire = (message: string): void => {
      if (closed) return;
      stream.write({ type: 'ERROR', object: new ApiError(410, 'Expired', message).toStatus() });
      finish();
    };
    const watcher: Watcher = {
      gr: this.key(type),
      ...(bucketNamespace !== undefined ? { namespace: bucketNamespace } : {}),
      matches,
      send: (eventType: EventType, object: KubeObject) => {
        if (!closed && !stalled)
          stream.write({ type: eventType, object: this.present(type, version, object) });
      },
      close: (expired) =>
        expired ? expire(`too old resource version: ${startRv ?? 0} (${this.store.currentRv})`) : finish(),
      bookmark: (rv) => bookmark(rv),
      stall: () => {
        stalled = true;
        for (const timer of timers) clearTimeout(timer);
        this.store.unwatch(watcher);
      },
    };
    stream.onClose(finish);

    if (startRv === undefined || sendInitialEvents) {
      // "Get State and Start at Most Recent": synthetic ADDED events for the current state first.
      if (startRv !== undefined && startRv > this.store.currentRv) {
        expire(`Too large resource version: ${startRv}, current: ${this.store.currentRv}`);
        return finish;
      }
      for (const { object } of this.store.list(this.key(type), bucketNamespace))
        if (matches(object)) watcher.send('ADDED', object);
      if (sendInitialEvents) bookmark(this.store.currentRv, { 'k8s.io/initial-events-end': 'true' });
      this.store.watch(watcher, undefined);
    } else {
      try {
        this.store.watch(watcher, startRv);
      } catch (error) {
        if (error instanceof ApiError && error.code === 410) {
          expire(error.message);
          return finish;
        }
        throw error;
      }
    }
    if (bookmarks && this.options.bookmarkIntervalMs > 0) {
      const tick = (): void => {
        bookmark(this.store.currentRv);
        timers.push(setTimeout(tick, this.options.bookmarkIntervalMs).unref());
      };
      timers.push(setTimeout(tick, this.options.bookmarkIntervalMs).unref());
    }
    timers.push(
      setTimeout(() => {
        bookmark(this.store.currentRv);
        finish();
      }, timeoutSeconds * 1000).unref(),
    );
    return finish;
  }

  // ---------------------------------------------------------------- writes

  private validateName(type: ResourceType, name: string | undefined): void {
    if (!name) {
      throw errors.invalid(type.kind, type.group, '', [
        {
          field: 'metadata.name',
          reason: 'FieldValueRequired',
          message: 'Required value: name or generateName is required',
        },
      ]);
    }
    const [pattern, description] =
      type.nameRule === 'dns1123label'
        ? [
            DNS1123_LABEL,
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
          ]
        : type.nameRule === 'dns1035label'
          ? [
              DNS1035_LABEL,
              "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
            ]
          : [
              DNS1123_SUBDOMAIN,
              "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            ];
    const limit = type.nameRule === 'subdomain' ? 253 : 63;
    if (!pattern.test(name) || name.length > limit) {
      throw errors.invalid(type.kind, type.group, name, [
        {
          field: 'metadata.name',
          reason: 'FieldValueInvalid',
          message: `Invalid value: "${name}": ${description}`,
        },
      ]);
    }
  }

  private checkBody(
    type: ResourceType,
    version: string,
    body: unknown,
    namespace: string | undefined,
    name?: string,
  ): KubeObject {
    if (!isObject(body)) throw errors.badRequest('the body of the request was not a JSON or YAML object');
    const object = body as KubeObject;
    const expected = this.groupVersion(type, version);
    if (object.apiVersion !== undefined && object.apiVersion !== expected) {
      throw errors.badRequest(
        `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${expected})`,
      );
    }
    if (object.kind !== undefined && object.kind !== type.kind) {
      throw errors.badRequest(
        `the kind in the data (${String(object.kind)}) does not match the expected kind (${type.kind})`,
      );
    }
    if (object.metadata !== undefined && !isObject(object.metadata))
      throw errors.badRequest('metadata must be an object');
    const bodyNamespace = object.metadata?.namespace;
    if (type.namespaced && bodyNamespace && namespace && bodyNamespace !== namespace) {
      throw errors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    if (name !== undefined && object.metadata?.name !== undefined && object.metadata.name !== name) {
      throw errors.badRequest(
        `the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    return clone(object);
  }

  /** NamespaceLifecycle admission: namespaced objects need an existing, non-terminating namespace. */
  private checkNamespace(type: ResourceType, namespace: string | undefined): void {
    if (!type.namespaced) return;
    const ns = this.store.get(grKey('', 'namespaces'), objectKey(undefined, namespace ?? ''));
    if (!ns) throw errors.notFound({ group: '', resource: 'namespaces' }, namespace ?? '');
    if (ns.metadata?.deletionTimestamp) {
      throw new ApiError(
        403,
        'Forbidden',
        `unable to create new content in namespace ${namespace} because it is being terminated`,
        {
          name: namespace,
          kind: 'namespaces',
        },
      );
    }
  }

  private managerFor(options: WriteOptions): string {
    if (options.fieldManager) return options.fieldManager;
    const agent = (options.userAgent ?? '').split('/')[0]!.trim();
    return agent || 'unknown';
  }

  private validateManager(manager: string | undefined): void {
    if (manager !== undefined && manager.length > 128) {
      throw errors.invalid('PatchOptions', 'meta.k8s.io', '', [
        {
          field: 'fieldManager',
          reason: 'FieldValueTooLong',
          message: `Too long: may not be more than 128 bytes`,
        },
      ]);
    }
  }

  /** Creation-time defaults of the real registries that clients commonly read back. */
  /**
   * Defaults, applied on every write as the real server does on decode (so a forced apply that
   * omits them does not drop them); Service clusterIP is allocated once and kept on updates.
   */
  private applyDefaults(type: ResourceType, object: KubeObject, previous?: KubeObject): void {
    const specOf = (): Record<string, unknown> =>
      (isObject(object.spec) ? object.spec : (object.spec = {})) as Record<string, unknown>;
    if (type.group === '' && type.resource === 'namespaces') {
      object.metadata!.labels = {
        ...(object.metadata!.labels ?? {}),
        'kubernetes.io/metadata.name': object.metadata!.name!,
      };
      specOf().finalizers ??= ['kubernetes'];
      if (!previous) object.status = { phase: 'Active' };
    } else if (type.group === '' && type.resource === 'services') {
      const spec = specOf();
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      if (spec.type !== 'ExternalName') {
        const previousSpec = isObject(previous?.spec) ? previous.spec : {};
        if (spec.clusterIP === undefined && previousSpec.clusterIP !== undefined) {
          spec.clusterIP = previousSpec.clusterIP;
          spec.clusterIPs ??= previousSpec.clusterIPs;
        }
        if (spec.clusterIP === undefined) {
          const n = this.clusterIpCounter++;
          spec.clusterIP = `10.96.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
        }
        spec.clusterIPs ??= [spec.clusterIP];
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
        spec.internalTrafficPolicy ??= 'Cluster';
      }
      if (Array.isArray(spec.ports)) {
        for (const port of spec.ports) {
          if (!isObject(port)) continue;
          port.protocol ??= 'TCP';
          port.targetPort ??= port.port;
        }
      }
      if (!previous) object.status ??= { loadBalancer: {} };
    } else if (type.group === 'apps') {
      const spec = specOf();
      spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
    }
  }

  private now(): string {
    return timestamp();
  }

  /** POST. */
  create(
    type: ResourceType,
    version: string,
    namespace: string | undefined,
    body: unknown,
    options: WriteOptions,
  ): Result {
    this.validateManager(options.fieldManager);
    const object = this.checkBody(type, version, body, namespace);
    const metadata = (object.metadata ??= {});
    if (!metadata.name && metadata.generateName) metadata.name = `${metadata.generateName}${randomSuffix()}`;
    this.validateName(type, metadata.name);
    if (type.namespaced) metadata.namespace = namespace ?? metadata.namespace;
    else delete metadata.namespace;
    this.checkNamespace(type, metadata.namespace);
    const key = objectKey(metadata.namespace, metadata.name!);
    if (this.store.get(this.key(type), key)) throw errors.alreadyExists(this.gr(type), metadata.name!);
    if (metadata.resourceVersion) {
      throw errors.badRequest('resourceVersion should not be set on objects to be created');
    }
    for (const field of [
      'uid',
      'creationTimestamp',
      'generation',
      'managedFields',
      'deletionTimestamp',
      'selfLink',
    ] as const)
      delete metadata[field];
    if (type.subresources.includes('status')) delete object.status;
    this.applyDefaults(type, object);
    const stored = this.initialise(type, version, object);
    stored.metadata!.managedFields = recordUpdate({
      previous: undefined,
      next: stored,
      manager: this.managerFor(options),
      apiVersion: this.groupVersion(type, version),
      now: this.now(),
      hasStatus: type.subresources.includes('status'),
      scope: 'main',
      associative: !type.custom,
    });
    return { status: 201, body: this.present(type, version, this.commit(type, 'ADDED', stored, options)) };
  }

  private initialise(type: ResourceType, version: string, object: KubeObject): KubeObject {
    const stored = this.present(type, type.versions[0] ?? version, object);
    stored.metadata = {
      ...stored.metadata,
      uid: crypto.randomUUID(),
      creationTimestamp: this.now(),
      ...(type.generation ? { generation: 1 } : {}),
    };
    return stored;
  }

  private commit(
    type: ResourceType,
    eventType: EventType,
    object: KubeObject,
    options: WriteOptions,
  ): KubeObject {
    const key = objectKey(type.namespaced ? object.metadata?.namespace : undefined, object.metadata!.name!);
    if (options.dryRun) {
      const preview = clone(object);
      preview.metadata!.resourceVersion =
        eventType === 'ADDED' ? undefined : preview.metadata!.resourceVersion;
      if (preview.metadata!.resourceVersion === undefined) delete preview.metadata!.resourceVersion;
      return preview;
    }
    return this.store.commit(this.key(type), eventType, key, object);
  }

  /**
   * The common tail of update, patch, apply and the subresource writes: server-owned fields are
   * kept, generation follows spec changes, status follows its own subresource, a write that
   * changes nothing is not a write (no new resourceVersion, no event), and an object whose
   * deletion waits on finalizers is removed once they are gone.
   */
  private finishWrite(
    type: ResourceType,
    previous: KubeObject,
    candidate: KubeObject,
    scope: Scope,
    options: WriteOptions,
  ): KubeObject {
    const next = this.shape(previous, candidate, scope, type.subresources.includes('status'));
    const keep = [
      'uid',
      'creationTimestamp',
      'generation',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'resourceVersion',
    ] as const;
    next.metadata = { ...(next.metadata ?? {}) };
    for (const field of keep) {
      const value = previous.metadata?.[field];
      if (value !== undefined) (next.metadata as Record<string, unknown>)[field] = value;
      else delete next.metadata[field];
    }
    next.metadata.name = previous.metadata!.name!;
    if (type.namespaced) next.metadata.namespace = previous.metadata!.namespace!;
    next.apiVersion = previous.apiVersion;
    next.kind = previous.kind;
    if (
      previous.metadata?.deletionTimestamp &&
      (next.metadata.finalizers ?? []).some((f) => !(previous.metadata?.finalizers ?? []).includes(f))
    ) {
      throw errors.invalid(type.kind, type.group, previous.metadata.name!, [
        {
          field: 'metadata.finalizers',
          reason: 'FieldValueForbidden',
          message: 'Forbidden: no new finalizers can be added if the object is being deleted',
        },
      ]);
    }
    if (type.generation) {
      const strip = (object: KubeObject): KubeObject => {
        const { metadata: _metadata, status: _status, ...rest } = object;
        return rest as KubeObject;
      };
      if (!deepEqual(strip(previous), strip(next)))
        next.metadata.generation = (previous.metadata?.generation ?? 0) + 1;
    }
    if (deepEqual(previous, next)) return previous;
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) {
      return this.commit(type, 'DELETED', next, options);
    }
    return this.commit(type, 'MODIFIED', next, options);
  }

  private checkPrecondition(type: ResourceType, previous: KubeObject, resourceVersion: unknown): void {
    if (
      resourceVersion !== undefined &&
      resourceVersion !== '' &&
      resourceVersion !== previous.metadata?.resourceVersion
    ) {
      throw errors.staleResourceVersion(this.gr(type), previous.metadata!.name!);
    }
  }

  /** PUT on the object, or on its status subresource. */
  update(
    type: ResourceType,
    version: string,
    namespace: string | undefined,
    name: string,
    body: unknown,
    scope: Scope,
    options: WriteOptions,
  ): Result {
    this.validateManager(options.fieldManager);
    const object = this.checkBody(type, version, body, namespace, name);
    const key = objectKey(type.namespaced ? namespace : undefined, name);
    const previous = this.store.get(this.key(type), key);
    if (!previous) {
      if (type.resource === 'endpoints' && scope === 'main') {
        return this.create(
          type,
          version,
          namespace,
          { ...object, metadata: { ...(object.metadata ?? {}), name } },
          options,
        );
      }
      throw errors.notFound(this.gr(type), name);
    }
    const rv = object.metadata?.resourceVersion;
    if ((rv === undefined || rv === '') && type.custom) {
      throw errors.invalid(type.kind, type.group, name, [
        {
          field: 'metadata.resourceVersion',
          reason: 'FieldValueInvalid',
          message: 'Invalid value: 0x0: must be specified for an update',
        },
      ]);
    }
    this.checkPrecondition(type, previous, rv);
    const next = this.present(type, type.versions[0]!, object);
    next.metadata!.managedFields = previous.metadata?.managedFields ?? [];
    return this.write(type, version, previous, next, scope, options);
  }

  private write(
    type: ResourceType,
    version: string,
    previous: KubeObject,
    candidate: KubeObject,
    scope: Scope,
    options: WriteOptions,
  ): Result {
    const hasStatus = type.subresources.includes('status');
    const next = this.shape(previous, candidate, scope, hasStatus);
    if (scope === 'main') this.applyDefaults(type, next, previous);
    next.metadata = {
      ...(next.metadata ?? {}),
      managedFields: recordUpdate({
        previous,
        next,
        manager: this.managerFor(options),
        apiVersion: this.groupVersion(type, version),
        now: this.now(),
        hasStatus,
        scope,
        associative: !type.custom,
      }),
    };
    const stored = this.finishWrite(type, previous, next, scope, options);
    return { status: 200, body: this.present(type, version, stored) };
  }

  /**
   * "Spec and Status": with a status subresource, writes to the object leave .status alone and
   * writes to /status change nothing but .status.
   */
  private shape(previous: KubeObject, candidate: KubeObject, scope: Scope, hasStatus: boolean): KubeObject {
    if (scope === 'status') {
      const next = clone(previous);
      if (candidate.status === undefined) delete next.status;
      else next.status = clone(candidate.status);
      next.metadata = { ...next.metadata, managedFields: candidate.metadata?.managedFields ?? [] };
      return next;
    }
    const next = clone(candidate);
    if (scope === 'main' && hasStatus) {
      if (previous.status !== undefined) next.status = clone(previous.status);
      else delete next.status;
    }
    return next;
  }

  /** PATCH (any of the four patch types) on the object or its status subresource. */
  patch(
    type: ResourceType,
    version: string,
    namespace: string | undefined,
    name: string,
    contentType: string,
    raw: string,
    parse: (text: string, yaml: boolean) => unknown,
    scope: Scope,
    options: WriteOptions,
  ): Result {
    this.validateManager(options.fieldManager);
    const patchType = contentType.split(';')[0]!.trim().toLowerCase();
    if (patchType === PATCH_TYPES.apply)
      return this.apply(type, version, namespace, name, parse(raw, true), scope, options);
    if (options.force) {
      throw errors.invalid('PatchOptions', 'meta.k8s.io', '', [
        {
          field: 'force',
          reason: 'FieldValueForbidden',
          message: 'Forbidden: may not be specified for non-apply patch',
        },
      ]);
    }
    const key = objectKey(type.namespaced ? namespace : undefined, name);
    const previous = this.store.get(this.key(type), key);
    if (!previous) throw errors.notFound(this.gr(type), name);
    const current = this.present(type, version, previous);
    const body = parse(raw, false);
    let patched: unknown;
    switch (patchType) {
      case PATCH_TYPES.merge:
        patched = mergePatch(current, body);
        break;
      case PATCH_TYPES.strategic:
        if (type.custom) {
          throw new ApiError(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
          );
        }
        patched = strategicMergePatch(current, body);
        break;
      case PATCH_TYPES.json:
        patched = jsonPatch(current, body);
        break;
      default:
        throw errors.unsupportedMediaType(contentType);
    }
    if (!isObject(patched)) throw errors.badRequest('the patched object is not an object');
    const next = this.checkBody(type, version, patched, namespace, name);
    this.checkPrecondition(
      type,
      previous,
      isObject(body) && isObject(body.metadata) ? body.metadata.resourceVersion : undefined,
    );
    const stored = this.present(type, type.versions[0]!, next);
    stored.metadata!.managedFields = previous.metadata?.managedFields ?? [];
    return this.write(type, version, previous, stored, scope, options);
  }

  /** Server-side apply: PATCH with application/apply-patch+yaml. */
  private apply(
    type: ResourceType,
    version: string,
    namespace: string | undefined,
    name: string,
    body: unknown,
    scope: Scope,
    options: WriteOptions,
  ): Result {
    if (!options.fieldManager) {
      throw errors.invalid('PatchOptions', 'meta.k8s.io', '', [
        {
          field: 'fieldManager',
          reason: 'FieldValueRequired',
          message: 'Required value: is required for apply patch',
        },
      ]);
    }
    if (!isObject(body)) throw errors.badRequest('the body of the request was not a JSON or YAML object');
    if (scope !== 'scale') {
      if (!body.apiVersion || !body.kind) {
        throw errors.badRequest(`error decoding YAML: Object 'Kind' is missing in '${JSON.stringify(body)}'`);
      }
    }
    const config =
      scope === 'scale' ? this.scaleConfig(body) : this.checkBody(type, version, body, namespace, name);
    if (scope !== 'scale' && config.metadata?.managedFields !== undefined) {
      throw errors.badRequest('metadata.managedFields must be nil');
    }
    const hasStatus = type.subresources.includes('status');
    const key = objectKey(type.namespaced ? namespace : undefined, name);
    const previous = this.store.get(this.key(type), key);
    const groupVersion = this.groupVersion(type, version);
    if (previous) this.checkPrecondition(type, previous, config.metadata?.resourceVersion);
    if (!previous) {
      if (scope !== 'main') throw errors.notFound(this.gr(type), name);
      if (config.metadata?.resourceVersion) throw errors.notFound(this.gr(type), name);
      this.validateName(type, name);
      this.checkNamespace(type, namespace);
      const result = apply({
        live: undefined,
        config,
        manager: options.fieldManager,
        force: Boolean(options.force),
        apiVersion: groupVersion,
        now: this.now(),
        hasStatus,
        scope,
        associative: !type.custom,
      });
      const object = result.object;
      object.metadata = { ...(object.metadata ?? {}), name, ...(type.namespaced ? { namespace } : {}) };
      if (!type.namespaced) delete object.metadata.namespace;
      if (hasStatus) delete object.status;
      this.applyDefaults(type, object);
      const stored = this.initialise(type, version, object);
      return { status: 201, body: this.present(type, version, this.commit(type, 'ADDED', stored, options)) };
    }
    const live = this.present(type, version, previous);
    const result = apply({
      live,
      config,
      manager: options.fieldManager,
      force: Boolean(options.force),
      apiVersion: groupVersion,
      now: this.now(),
      hasStatus,
      scope,
      associative: !type.custom,
    });
    if (result.conflicts.length > 0 && !options.force) {
      throw errors.applyConflict(
        this.gr(type),
        name,
        conflictMessage(result.conflicts),
        conflictCauses(result.conflicts),
      );
    }
    const candidate = this.present(type, type.versions[0]!, result.object);
    if (scope === 'main') this.applyDefaults(type, candidate, previous);
    const stored = this.finishWrite(type, previous, candidate, scope, options);
    return { status: 200, body: this.present(type, version, stored) };
  }

  // ---------------------------------------------------------------- scale subresource

  private scaleConfig(body: Record<string, unknown>): KubeObject {
    const spec = isObject(body.spec) ? body.spec : {};
    const metadata = isObject(body.metadata) ? body.metadata : {};
    return {
      ...(metadata.resourceVersion
        ? { metadata: { resourceVersion: metadata.resourceVersion as string } }
        : {}),
      ...(spec.replicas !== undefined ? { spec: { replicas: spec.replicas } } : {}),
    };
  }

  /** The autoscaling/v1 Scale view of a deployment or statefulset. */
  scale(type: ResourceType, object: KubeObject): KubeObject {
    const spec = (isObject(object.spec) ? object.spec : {}) as Record<string, unknown>;
    const status = (isObject(object.status) ? object.status : {}) as Record<string, unknown>;
    const metadata = object.metadata!;
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: metadata.name!,
        namespace: metadata.namespace!,
        uid: metadata.uid!,
        resourceVersion: metadata.resourceVersion!,
        creationTimestamp: metadata.creationTimestamp!,
      },
      spec: { replicas: (spec.replicas as number | undefined) ?? 0 },
      status: {
        replicas: (status.replicas as number | undefined) ?? 0,
        selector: formatLabelSelector(spec.selector),
      },
    };
  }

  getScale(type: ResourceType, namespace: string | undefined, name: string): Result {
    return { status: 200, body: this.scale(type, this.existing(type, namespace, name)) };
  }

  updateScale(
    type: ResourceType,
    version: string,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: WriteOptions,
  ): Result {
    this.validateManager(options.fieldManager);
    const previous = this.existing(type, namespace, name);
    if (!isObject(body)) throw errors.badRequest('the body of the request was not a JSON or YAML object');
    if (body.kind !== undefined && body.kind !== 'Scale')
      throw errors.badRequest(
        `the kind in the data (${String(body.kind)}) does not match the expected kind (Scale)`,
      );
    const metadata = isObject(body.metadata) ? body.metadata : {};
    if (metadata.name !== undefined && metadata.name !== name) {
      throw errors.badRequest(
        `the name of the object (${String(metadata.name)}) does not match the name on the URL (${name})`,
      );
    }
    this.checkPrecondition(type, previous, metadata.resourceVersion);
    const replicas = isObject(body.spec) ? body.spec.replicas : undefined;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw errors.invalid('Scale', 'autoscaling', name, [
        {
          field: 'spec.replicas',
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
        },
      ]);
    }
    const next = clone(previous);
    next.spec = { ...(isObject(next.spec) ? next.spec : {}), replicas };
    const result = this.write(type, version, previous, next, 'scale', options);
    return { status: 200, body: this.scale(type, result.body as KubeObject) };
  }

  patchScale(
    type: ResourceType,
    version: string,
    namespace: string | undefined,
    name: string,
    contentType: string,
    raw: string,
    parse: (text: string, yaml: boolean) => unknown,
    options: WriteOptions,
  ): Result {
    const patchType = contentType.split(';')[0]!.trim().toLowerCase();
    if (patchType === PATCH_TYPES.apply) {
      const result = this.apply(type, version, namespace, name, parse(raw, true), 'scale', options);
      return { status: result.status, body: this.scale(type, result.body as KubeObject) };
    }
    const current = this.scale(type, this.existing(type, namespace, name));
    const body = parse(raw, false);
    const patched =
      patchType === PATCH_TYPES.merge || patchType === PATCH_TYPES.strategic
        ? mergePatch(current, body)
        : patchType === PATCH_TYPES.json
          ? jsonPatch(current, body)
          : (() => {
              throw errors.unsupportedMediaType(contentType);
            })();
    return this.updateScale(type, version, namespace, name, patched, options);
  }

  // ---------------------------------------------------------------- delete

  delete(
    type: ResourceType,
    version: string,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: WriteOptions,
  ): Result {
    const previous = this.existing(type, namespace, name);
    const preconditions = isObject(body) && isObject(body.preconditions) ? body.preconditions : {};
    if (preconditions.uid !== undefined && preconditions.uid !== previous.metadata?.uid) {
      throw errors.conflict(
        this.gr(type),
        name,
        `Precondition failed: UID in precondition: ${String(preconditions.uid)}, UID in object meta: ${previous.metadata?.uid}`,
      );
    }
    if (
      preconditions.resourceVersion !== undefined &&
      preconditions.resourceVersion !== previous.metadata?.resourceVersion
    ) {
      throw errors.conflict(
        this.gr(type),
        name,
        `Precondition failed: ResourceVersion in precondition: ${String(preconditions.resourceVersion)}, ResourceVersion in object meta: ${previous.metadata?.resourceVersion}`,
      );
    }
    if (type.group === '' && type.resource === 'namespaces')
      return this.deleteNamespace(type, version, previous, options);
    if ((previous.metadata?.finalizers ?? []).length > 0) {
      if (previous.metadata?.deletionTimestamp)
        return { status: 200, body: this.present(type, version, previous) };
      const marked = clone(previous);
      marked.metadata = { ...marked.metadata, deletionTimestamp: this.now(), deletionGracePeriodSeconds: 0 };
      return {
        status: 200,
        body: this.present(type, version, this.commit(type, 'MODIFIED', marked, options)),
      };
    }
    const deleted = this.commit(type, 'DELETED', previous, options);
    return { status: 200, body: this.deletedBody(type, version, deleted) };
  }

  private deletedBody(type: ResourceType, version: string, deleted: KubeObject): unknown {
    if (type.custom || (type.group === '' && ['services', 'pods', 'namespaces'].includes(type.resource))) {
      return this.present(type, version, deleted);
    }
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: {
        name: deleted.metadata?.name,
        ...(type.group ? { group: type.group } : {}),
        kind: type.resource,
        uid: deleted.metadata?.uid,
      },
    };
  }

  /** Simplified namespace lifecycle: contents are deleted at once, then the namespace. */
  private deleteNamespace(
    type: ResourceType,
    version: string,
    namespace: KubeObject,
    options: WriteOptions,
  ): Result {
    const name = namespace.metadata!.name!;
    if (!options.dryRun) {
      for (const other of this.catalog) {
        if (!other.namespaced) continue;
        for (const { object } of this.store.list(this.key(other), name))
          this.commit(other, 'DELETED', object, options);
      }
    }
    const terminating = clone(namespace);
    terminating.metadata = { ...terminating.metadata, deletionTimestamp: this.now() };
    terminating.status = { phase: 'Terminating' };
    const deleted = this.commit(type, 'DELETED', terminating, options);
    return { status: 200, body: this.present(type, version, deleted) };
  }

  /** DELETE on a collection URL: every object matching the selectors. */
  deleteCollection(
    type: ResourceType,
    version: string,
    namespace: string | undefined,
    query: Query,
    options: WriteOptions,
  ): Result {
    const matches = this.matcher(type, this.selectors(type, query));
    const items: KubeObject[] = [];
    for (const { object } of this.store.list(this.key(type), type.namespaced ? namespace : undefined)) {
      if (!matches(object)) continue;
      const result = this.delete(
        type,
        version,
        object.metadata?.namespace,
        object.metadata!.name!,
        undefined,
        options,
      );
      if (isObject(result.body) && result.body.kind !== 'Status') items.push(result.body as KubeObject);
    }
    return {
      status: 200,
      body: {
        apiVersion: this.groupVersion(type, version),
        kind: type.listKind,
        metadata: { resourceVersion: String(this.store.currentRv) },
        items,
      },
    };
  }
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      v?: string;
      rv?: number;
      start?: string;
    };
    if (decoded.v !== 'meta.k8s.io/v1' || typeof decoded.rv !== 'number' || typeof decoded.start !== 'string')
      throw new Error('bad');
    return { rv: decoded.rv, start: decoded.start };
  } catch {
    throw errors.badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
}
