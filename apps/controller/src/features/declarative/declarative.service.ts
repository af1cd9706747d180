import { Injectable } from '@nestjs/common';
import {
  API_VERSION,
  APPLY_ORDER,
  DomainError,
  KIND_INFO,
  planApply,
  settlePlan,
  refKey,
  validateGnsDomain,
  validateGnsName,
  validateMatchConditions,
  validateWebhookEventTypes,
  validateWebhookUrl,
  type DeclarativeKind,
  type DeclarativeResource,
  type DeclarativeSpec,
  type FieldError,
  type MatchCondition,
  type MtlsMode,
  type ResourceRef,
} from '@lattice/domain';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { allItems } from '../../platform/http/pagination.util';
import { AutoscalingService } from '../autoscaling/autoscaling.service';
import { ClustersService, toClusterView } from '../clusters/clusters.service';
import { DesiredStateService } from '../config-distribution/desired-state.service';
import { GlobalNamespacesService } from '../global-namespaces/global-namespaces.service';
import { GnsCaService } from '../gns-ca/gns-ca.service';
import { IntermediateState } from '@lattice/pki';
import { PoliciesService } from '../policies/policies.service';
import { SlosService } from '../slos/slos.service';
import { WebhooksService } from '../webhooks/webhooks.service';
import { DeclarativeRepository, type Ownership } from './declarative.repository';
import type { ApplyOptions, ApplyResult, DeclarativeDocument, DeleteResult } from './declarative.types';

export const MANAGED_BY_APPLY = 'lattice-apply';

/** A resource as it is stored, in declarative form. */
interface Live {
  ref: ResourceRef;
  /** What the ownership marker remembers: the row id (policies: their GNS's id). */
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  spec: DeclarativeSpec;
  status?: unknown;
}

/** A policy of one GNS service as its feature's service answers it (REST's view). */
interface ServiceScopedView {
  gnsId: string;
  service: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  spec: unknown;
}

/** How a kind scoped by Global Namespace is kept by its feature's service, by GNS id and service. */
interface ServiceScopedStore<V extends ServiceScopedView> {
  find(tenantId: string, gnsId: string, service: string): Promise<V | null>;
  list(tenantId: string, gnsId: string): Promise<V[]>;
  /** The spec as it would be stored, or a 400 naming every bad field of the body. */
  normalize(tenantId: string, gnsId: string, service: string, spec: DeclarativeSpec): Promise<unknown>;
  /** Creates (no version) or replaces (at that version). */
  put(
    actor: TenantPrincipal,
    gnsId: string,
    service: string,
    version: number | undefined,
    spec: DeclarativeSpec,
  ): Promise<unknown>;
  delete(actor: TenantPrincipal, gnsId: string, service: string, version: number): Promise<void>;
  status?(view: V): unknown;
  preview?(
    tenantId: string,
    gnsId: string,
    service: string,
    spec: DeclarativeSpec,
  ): Promise<{ rendered: unknown[]; warnings: FieldError[] }>;
}

/** How one kind is read and written through its feature's service (the same rules as its REST routes). */
interface KindAdapter {
  find(tenantId: string, ref: ResourceRef): Promise<Live | null>;
  list(tenantId: string): Promise<Live[]>;
  /** The spec as it would be stored, or a 400 naming every bad field. */
  normalize(tenantId: string, ref: ResourceRef, spec: DeclarativeSpec): Promise<DeclarativeSpec>;
  create(
    actor: TenantPrincipal,
    ref: ResourceRef,
    spec: DeclarativeSpec,
  ): Promise<{ extra?: Partial<ApplyResult> }>;
  replace(actor: TenantPrincipal, live: Live, spec: DeclarativeSpec): Promise<void>;
  remove(actor: TenantPrincipal, live: Live): Promise<void>;
  /** More status for GET of one resource (costlier than what lists show). */
  describe?(tenantId: string, live: Live): Promise<Record<string, unknown>>;
  /** Dry runs: the Istio objects per member cluster and the warnings. */
  preview?(
    tenantId: string,
    ref: ResourceRef,
    spec: DeclarativeSpec,
  ): Promise<{ rendered: unknown[]; warnings: FieldError[] }>;
}

/**
 * Declarative resources (apiVersion lattice.dev/v1alpha1) addressed by name within the tenant:
 * get, list, export, server-side apply with dry run, delete and prune. Every write goes through the
 * owning feature's service, so validation, audit and redistribution are those of the REST routes.
 * Pure decisions (merge, conflicts, diff) are libs/domain's planApply.
 */
@Injectable()
export class DeclarativeService {
  private readonly adapters: Record<DeclarativeKind, KindAdapter>;

  constructor(
    private readonly ownership: DeclarativeRepository,
    private readonly clusters: ClustersService,
    private readonly globalNamespaces: GlobalNamespacesService,
    private readonly policies: PoliciesService,
    private readonly slos: SlosService,
    private readonly webhooks: WebhooksService,
    private readonly desiredState: DesiredStateService,
    private readonly gnsCa: GnsCaService,
    private readonly autoscaling: AutoscalingService,
  ) {
    this.adapters = {
      Cluster: this.clusterAdapter(),
      GlobalNamespace: this.globalNamespaceAdapter(),
      TrafficPolicy: this.trafficPolicyAdapter(),
      SecurityPolicy: this.securityPolicyAdapter(),
      SLO: this.sloAdapter(),
      Webhook: this.webhookAdapter(),
      AutoscalingPolicy: this.autoscalingPolicyAdapter(),
    };
  }

  async get(tenantId: string, ref: ResourceRef): Promise<DeclarativeDocument> {
    const adapter = this.adapters[ref.kind];
    const found = await adapter.find(tenantId, ref);
    if (!found) throw notFound(ref);
    const live = adapter.describe
      ? { ...found, status: { ...(found.status as object), ...(await adapter.describe(tenantId, found)) } }
      : found;
    return documentOf(ref.kind, live, await this.ownership.find(tenantId, refKey(ref)));
  }

  async list(tenantId: string, kind: DeclarativeKind): Promise<DeclarativeDocument[]> {
    const [items, owned] = await Promise.all([
      this.adapters[kind].list(tenantId),
      this.ownershipByRef(tenantId),
    ]);
    return items.map((live) => documentOf(kind, live, owned.get(refKey(live.ref)) ?? null));
  }

  /** The tenant's whole configuration as documents apply reproduces it with: no status, no server metadata. */
  async export(tenantId: string): Promise<DeclarativeDocument[]> {
    const documents: DeclarativeDocument[] = [];
    for (const kind of APPLY_ORDER)
      for (const live of byRef(await this.adapters[kind].list(tenantId))) {
        documents.push({ apiVersion: API_VERSION, kind, metadata: refMetadata(live.ref), spec: live.spec });
      }
    return documents;
  }

  async apply(
    actor: TenantPrincipal,
    resource: DeclarativeResource,
    options: ApplyOptions,
  ): Promise<ApplyResult> {
    const ref = refOf(resource);
    const key = refKey(ref);
    const adapter = this.adapters[ref.kind];
    const [live, owned] = await Promise.all([
      adapter.find(actor.tenantId, ref),
      this.ownership.find(actor.tenantId, key),
    ]);
    // A marker for another row (deleted and re-created by hand) does not count.
    const applied = owned && live && owned.resourceId === live.id ? owned : null;
    const scopeMissing = await this.missingGlobalNamespace(actor.tenantId, ref, resource.spec);
    if (scopeMissing && options.dryRun) {
      // The GNS is created earlier in the same apply: preview what can be previewed.
      return {
        ref: { ...ref, key },
        action: 'create',
        dryRun: true,
        changes: planApply({
          kind: ref.kind,
          label: key,
          named: resource.spec,
          live: null,
          applied: null,
          force: false,
        }).changes,
        version: null,
        warnings: [
          {
            field: scopeMissing.field,
            message: `not checked: Global Namespace ${scopeMissing.name} does not exist yet`,
          },
        ],
      };
    }
    if (scopeMissing)
      throw DomainError.validation([
        {
          field: scopeMissing.field,
          message: `no Global Namespace named ${scopeMissing.name} in this tenant`,
        },
      ]);
    const plan = planApply({
      kind: ref.kind,
      label: key,
      named: resource.spec,
      live: live && { version: live.version, spec: live.spec },
      applied: applied && { appliedVersion: applied.appliedVersion, appliedFields: applied.appliedFields },
      expectedVersion: resource.expectedVersion,
      force: options.force,
    });
    // The domain's checks, and the form the controller stores (so that an unchanged document is seen as such).
    const liveSpec = live && { version: live.version, spec: live.spec };
    const final = settlePlan(liveSpec, await adapter.normalize(actor.tenantId, ref, plan.spec));
    const result: ApplyResult = {
      ref: { ...ref, key },
      action: final.action,
      dryRun: options.dryRun,
      changes: final.changes,
      version: live?.version ?? null,
      warnings: [],
    };
    if (options.dryRun) {
      if (adapter.preview && final.action !== 'unchanged') {
        const preview = await adapter.preview(actor.tenantId, ref, final.spec);
        return { ...result, rendered: preview.rendered, warnings: preview.warnings };
      }
      return result;
    }
    const appliedFields = Object.keys(resource.spec).sort();
    if (
      final.action === 'unchanged' &&
      live &&
      applied &&
      applied.appliedVersion === live.version &&
      applied.appliedFields.join() === appliedFields.join()
    )
      return result; // nothing to write, not even the marker
    let extra: Partial<ApplyResult> = {};
    if (final.action === 'create') extra = (await adapter.create(actor, ref, final.spec)).extra ?? {};
    else if (final.action === 'update' && live)
      await adapter.replace(actor, live, final.spec).catch((error: unknown) => {
        throw concurrentChange(error, key);
      });
    const after = final.action === 'unchanged' ? live : await adapter.find(actor.tenantId, ref);
    if (!after) throw new DomainError('CONFLICT', `${key} was deleted while being applied; apply again`);
    await this.ownership.save(actor.tenantId, {
      ref: key,
      kind: ref.kind,
      resourceId: after.id,
      applySet: final.action === 'create' ? options.applySet : (applied?.applySet ?? null),
      appliedVersion: after.version,
      appliedFields,
    });
    return { ...result, ...extra, version: after.version };
  }

  async delete(actor: TenantPrincipal, ref: ResourceRef, dryRun: boolean): Promise<DeleteResult> {
    const live = await this.adapters[ref.kind].find(actor.tenantId, ref);
    if (!live) throw notFound(ref);
    const key = refKey(ref);
    if (!dryRun) {
      await this.adapters[ref.kind].remove(actor, live);
      await this.ownership.forget(actor.tenantId, key);
    }
    return { ref: { ...ref, key }, action: 'delete', dryRun };
  }

  /**
   * Deletes what apply created in this apply set and `keep` no longer names, dependents first
   * (policies and SLOs before their Global Namespace). Resources apply only adopted, or that were
   * changed by hand since, are never pruned... the former; the latter are pruned like any other.
   */
  async prune(
    actor: TenantPrincipal,
    applySet: string,
    keep: readonly string[],
    dryRun: boolean,
  ): Promise<{ deleted: DeleteResult[]; dryRun: boolean }> {
    const kept = new Set(keep);
    const candidates = (await this.ownership.listApplySet(actor.tenantId, applySet)).filter(
      (owned) => !kept.has(owned.ref),
    );
    const order = [...APPLY_ORDER].reverse();
    candidates.sort(
      (a, b) => order.indexOf(a.kind as DeclarativeKind) - order.indexOf(b.kind as DeclarativeKind),
    );
    const deleted: DeleteResult[] = [];
    for (const owned of candidates) {
      const ref = refFromKey(owned);
      const live = await this.adapters[ref.kind].find(actor.tenantId, ref);
      if (!live || live.id !== owned.resourceId) {
        // Gone already (or re-created by hand): only the marker is left to drop.
        if (!dryRun) await this.ownership.forget(actor.tenantId, owned.ref);
        continue;
      }
      deleted.push(await this.delete(actor, ref, dryRun));
    }
    return { deleted, dryRun };
  }

  private async ownershipByRef(tenantId: string): Promise<Map<string, Ownership>> {
    return new Map((await this.ownership.listAll(tenantId)).map((owned) => [owned.ref, owned]));
  }

  /** The Global Namespace a resource names when it does not exist (policies and SLOs live in one). */
  private async missingGlobalNamespace(
    tenantId: string,
    ref: ResourceRef,
    spec: DeclarativeSpec,
  ): Promise<{ field: string; name: string } | null> {
    const named = KIND_INFO[ref.kind].scopedByGlobalNamespace
      ? { field: 'metadata.globalNamespace', name: ref.globalNamespace! }
      : ref.kind === 'SecurityPolicy'
        ? { field: 'metadata.name', name: ref.name }
        : ref.kind === 'SLO'
          ? { field: 'spec.globalNamespace', name: String(spec.globalNamespace) }
          : null;
    if (!named) return null;
    return (await this.globalNamespaces.idByName(tenantId, named.name)) === null ? named : null;
  }

  private async gnsId(tenantId: string, name: string): Promise<string | null> {
    return this.globalNamespaces.idByName(tenantId, name);
  }

  private async requireGnsId(tenantId: string, name: string, field: string): Promise<string> {
    const id = await this.gnsId(tenantId, name);
    if (id === null)
      throw DomainError.validation([{ field, message: `no Global Namespace named ${name} in this tenant` }]);
    return id;
  }

  private clusterAdapter(): KindAdapter {
    const liveOf = (cluster: Awaited<ReturnType<ClustersService['get']>>): Live => {
      const view = toClusterView(cluster);
      return {
        ref: { kind: 'Cluster', name: view.name },
        id: view.id,
        version: view.version,
        createdAt: view.createdAt,
        updatedAt: view.updatedAt,
        spec: {
          eastWestAddress: view.eastWestAddress,
          labels: view.labels,
          network: view.network,
          region: view.region,
          zone: view.zone,
          eastWestGatewayManaged: view.eastWestGatewayManaged,
          eastWestGatewaySelector: view.eastWestGatewaySelector,
        },
        status: {
          status: view.status,
          lastSeenAt: view.lastSeenAt,
          agentVersion: view.agentVersion,
          desiredVersion: view.desiredVersion,
          appliedVersion: view.appliedVersion,
          lastNack: view.lastNack,
          inventory: view.inventory,
          revokedAt: view.revokedAt,
        },
      };
    };
    return {
      find: async (tenantId, ref) => {
        const id = await this.clusters.idByName(tenantId, ref.name);
        return id === null ? null : liveOf(await this.clusters.get(tenantId, id));
      },
      list: async (tenantId) => (await allItems((page) => this.clusters.list(tenantId, page))).map(liveOf),
      normalize: async (_tenantId, ref, spec) => {
        const optional = (field: string) => (spec[field] === null ? {} : { [field]: spec[field] });
        const checked = await this.clusters.validate({
          name: ref.name,
          ...optional('eastWestAddress'),
          labels: spec.labels,
          ...optional('network'),
          ...optional('region'),
          ...optional('zone'),
          eastWestGatewayManaged: spec.eastWestGatewayManaged,
          ...optional('eastWestGatewaySelector'),
        });
        return {
          eastWestAddress: checked.eastWestAddress,
          labels: checked.labels,
          network: checked.network,
          region: checked.region,
          zone: checked.zone,
          eastWestGatewayManaged: checked.eastWestGatewayManaged,
          eastWestGatewaySelector: checked.eastWestGatewaySelector,
        };
      },
      create: async (actor, ref, spec) => {
        const created = await this.clusters.register(actor, {
          name: ref.name,
          eastWestAddress: (spec.eastWestAddress as string | null) ?? null,
          labels: spec.labels as Record<string, string>,
          ...placementSpec(spec),
        });
        return { extra: { bootstrap: created.bootstrap } };
      },
      replace: async (actor, live, spec) => {
        await this.clusters.update(actor, live.id, live.version, {
          eastWestAddress: spec.eastWestAddress as string | null,
          labels: spec.labels as Record<string, string>,
          ...placementSpec(spec),
        });
      },
      remove: (actor, live) => this.clusters.delete(actor, live.id),
    };
  }

  private globalNamespaceAdapter(): KindAdapter {
    type View = Awaited<ReturnType<GlobalNamespacesService['get']>>;
    const liveOf = (view: View): Live => ({
      ref: { kind: 'GlobalNamespace', name: view.name },
      id: view.id,
      version: view.version,
      createdAt: view.createdAt,
      updatedAt: view.updatedAt,
      spec: {
        domain: view.domain,
        description: view.description,
        mtlsMode: view.mtlsMode,
        matchConditions: view.matchConditions,
      },
      status: view.status,
    });
    const input = (name: string, spec: DeclarativeSpec) => ({
      name,
      domain: spec.domain as string,
      description: spec.description as string,
      mtlsMode: spec.mtlsMode as MtlsMode,
      matchConditions: spec.matchConditions as MatchCondition[],
    });
    return {
      find: async (tenantId, ref) => {
        const id = await this.globalNamespaces.idByName(tenantId, ref.name);
        if (id === null) return null;
        return liveOf(await this.globalNamespaces.get(tenantId, id));
      },
      list: async (tenantId) =>
        (await allItems((page) => this.globalNamespaces.list(tenantId, page))).map(liveOf),
      normalize: async (_tenantId, ref, spec) => {
        const errors = [
          ...validateGnsName(ref.name).map((error) => ({ field: 'metadata.name', message: error.message })),
          ...validateGnsDomain(String(spec.domain)).map(inSpec),
          ...validateMatchConditions(spec.matchConditions as MatchCondition[]).map(inSpec),
        ];
        if (errors.length > 0) throw DomainError.validation(errors);
        return spec;
      },
      create: async (actor, ref, spec) => {
        await this.globalNamespaces.create(actor, input(ref.name, spec));
        return {};
      },
      replace: async (actor, live, spec) => {
        await this.globalNamespaces.replace(actor, live.id, live.version, input(live.ref.name, spec));
      },
      remove: (actor, live) => this.globalNamespaces.delete(actor, live.id, live.version),
      describe: async (tenantId, live) => ({ convergence: await this.convergence(tenantId, live) }),
    };
  }

  /**
   * Whether every member cluster of the GNS runs the newest configuration: its stored desired state
   * is what the current definitions give (no recomputation due), and its agent acknowledged it.
   */
  private async convergence(tenantId: string, live: Live) {
    const { memberNamespaces } = live.status as { memberNamespaces: { clusterId: string }[] };
    const memberIds = [...new Set(memberNamespaces.map((member) => member.clusterId))];
    const [outdated, ca] = await Promise.all([
      this.desiredState.outdatedClusters(tenantId),
      this.gnsCa.status(tenantId, live.id),
    ]);
    const clusters = await Promise.all(
      memberIds.map(async (clusterId) => {
        const cluster = toClusterView(await this.clusters.get(tenantId, clusterId));
        const nacked = cluster.lastNack !== null && cluster.lastNack.version === cluster.desiredVersion;
        // Its intermediate CA of the GNS is signed (the snapshot that carries it follows).
        const caIssued = ca.intermediates.some(
          (intermediate) =>
            intermediate.clusterId === clusterId &&
            (intermediate.state === IntermediateState.SIGNED ||
              intermediate.state === IntermediateState.EXPIRING),
        );
        return {
          name: cluster.name,
          status: cluster.status,
          desiredVersion: cluster.desiredVersion,
          appliedVersion: cluster.appliedVersion,
          recomputationDue: outdated.has(clusterId),
          caIssued,
          ...(nacked ? { nack: cluster.lastNack?.reason ?? '' } : {}),
          converged:
            caIssued &&
            !outdated.has(clusterId) &&
            cluster.desiredVersion > 0 &&
            cluster.appliedVersion === cluster.desiredVersion,
        };
      }),
    );
    return { converged: clusters.every((cluster) => cluster.converged), clusters };
  }

  private trafficPolicyAdapter(): KindAdapter {
    return this.serviceScopedAdapter('TrafficPolicy', {
      find: (tenantId, gnsId, service) => this.policies.findTraffic(tenantId, gnsId, service),
      list: (tenantId, gnsId) => this.policies.listTraffic(tenantId, gnsId),
      normalize: (tenantId, gnsId, service, spec) =>
        this.policies.normalizeTraffic(tenantId, gnsId, service, spec),
      put: (actor, gnsId, service, version, spec) =>
        this.policies.putTraffic(actor, gnsId, service, version, spec),
      delete: (actor, gnsId, service, version) => this.policies.deleteTraffic(actor, gnsId, service, version),
      status: (view) => ({ warnings: view.warnings }),
      preview: async (tenantId, gnsId, service, spec) => {
        const result = await this.policies.dryRun(tenantId, gnsId, {
          trafficPolicies: [{ service, spec }],
        });
        return { rendered: result.clusters, warnings: result.warnings };
      },
    });
  }

  private autoscalingPolicyAdapter(): KindAdapter {
    return this.serviceScopedAdapter('AutoscalingPolicy', {
      find: (tenantId, gnsId, service) => this.autoscaling.find(tenantId, gnsId, service),
      list: (tenantId, gnsId) => this.autoscaling.list(tenantId, gnsId),
      normalize: async (_tenantId, _gnsId, service, spec) => this.autoscaling.normalize(service, spec),
      put: (actor, gnsId, service, version, spec) =>
        this.autoscaling.put(actor, gnsId, service, version, spec),
      delete: (actor, gnsId, service, version) => this.autoscaling.delete(actor, gnsId, service, version),
    });
  }

  /**
   * A kind scoped by Global Namespace: one resource per GNS service, named
   * `<kind>/<gns>/<service>`, kept by its feature's service under the GNS's id. Its ownership
   * marker remembers the GNS's id (the row has no id of its own in the REST API).
   */
  private serviceScopedAdapter<V extends ServiceScopedView>(
    kind: DeclarativeKind,
    store: ServiceScopedStore<V>,
  ): KindAdapter {
    const liveOf = (gnsName: string, view: V): Live => ({
      ref: { kind, globalNamespace: gnsName, name: view.service },
      id: view.gnsId,
      version: view.version,
      createdAt: view.createdAt,
      updatedAt: view.updatedAt,
      spec: view.spec as unknown as DeclarativeSpec,
      ...(store.status ? { status: store.status(view) } : {}),
    });
    const scope = (tenantId: string, ref: ResourceRef) =>
      this.requireGnsId(tenantId, ref.globalNamespace!, 'metadata.globalNamespace');
    return {
      find: async (tenantId, ref) => {
        const gnsId = await this.gnsId(tenantId, ref.globalNamespace!);
        const view = gnsId === null ? null : await store.find(tenantId, gnsId, ref.name);
        return view && liveOf(ref.globalNamespace!, view);
      },
      list: async (tenantId) => {
        const all = await allItems((page) => this.globalNamespaces.list(tenantId, page));
        const lists = await Promise.all(
          all.map(async (gns) => (await store.list(tenantId, gns.id)).map((view) => liveOf(gns.name, view))),
        );
        return lists.flat();
      },
      normalize: async (tenantId, ref, spec) =>
        (await inDocument(async () =>
          store.normalize(tenantId, await scope(tenantId, ref), ref.name, spec),
        )) as unknown as DeclarativeSpec,
      create: async (actor, ref, spec) => {
        await store.put(actor, await scope(actor.tenantId, ref), ref.name, undefined, spec);
        return {};
      },
      replace: async (actor, live, spec) => {
        await store.put(actor, live.id, live.ref.name, live.version, spec);
      },
      remove: (actor, live) => store.delete(actor, live.id, live.ref.name, live.version),
      ...(store.preview
        ? {
            preview: async (tenantId: string, ref: ResourceRef, spec: DeclarativeSpec) =>
              store.preview!(tenantId, await scope(tenantId, ref), ref.name, spec),
          }
        : {}),
    };
  }

  private securityPolicyAdapter(): KindAdapter {
    type View = Awaited<ReturnType<PoliciesService['getSecurity']>>;
    const liveOf = (gnsName: string, view: View): Live => ({
      ref: { kind: 'SecurityPolicy', name: gnsName },
      id: view.gnsId,
      version: view.version,
      createdAt: view.createdAt,
      updatedAt: view.updatedAt,
      spec: view.spec as unknown as DeclarativeSpec,
      status: { warnings: view.warnings },
    });
    const scope = (tenantId: string, ref: ResourceRef) =>
      this.requireGnsId(tenantId, ref.name, 'metadata.name');
    return {
      find: async (tenantId, ref) => {
        const gnsId = await this.gnsId(tenantId, ref.name);
        const view = gnsId === null ? null : await this.policies.findSecurity(tenantId, gnsId);
        return view && liveOf(ref.name, view);
      },
      list: async (tenantId) => {
        const all = await allItems((page) => this.globalNamespaces.list(tenantId, page));
        const views = await Promise.all(
          all.map(async (gns) => {
            const view = await this.policies.findSecurity(tenantId, gns.id);
            return view ? [liveOf(gns.name, view)] : [];
          }),
        );
        return views.flat();
      },
      normalize: async (tenantId, ref, spec) =>
        (await this.policies.normalizeSecurity(
          tenantId,
          await scope(tenantId, ref),
          spec,
        )) as unknown as DeclarativeSpec,
      create: async (actor, ref, spec) => {
        await this.policies.putSecurity(actor, await scope(actor.tenantId, ref), undefined, spec);
        return {};
      },
      replace: async (actor, live, spec) => {
        await this.policies.putSecurity(actor, live.id, live.version, spec);
      },
      remove: (actor, live) => this.policies.deleteSecurity(actor, live.id, live.version),
      preview: async (tenantId, ref, spec) => {
        const result = await this.policies.dryRun(tenantId, await scope(tenantId, ref), {
          securityPolicy: spec,
        });
        return { rendered: result.clusters, warnings: result.warnings };
      },
    };
  }

  private sloAdapter(): KindAdapter {
    type View = Awaited<ReturnType<SlosService['get']>>;
    const liveOf = (view: View, gnsNames: Map<string, string>): Live => {
      const { id, name, gnsId, version, createdAt, updatedAt, status, ...definition } = view;
      return {
        ref: { kind: 'SLO', name },
        id,
        version,
        createdAt,
        updatedAt,
        spec: { globalNamespace: gnsNames.get(gnsId) ?? gnsId, ...definition },
        status,
      };
    };
    const gnsNames = async (tenantId: string) =>
      new Map(
        (await allItems((page) => this.globalNamespaces.list(tenantId, page))).map((gns) => [
          gns.id,
          gns.name,
        ]),
      );
    const input = async (tenantId: string, name: string, spec: DeclarativeSpec) => {
      const { globalNamespace, ...rest } = spec;
      return {
        name,
        gnsId: await this.requireGnsId(tenantId, String(globalNamespace), 'spec.globalNamespace'),
        ...rest,
      };
    };
    return {
      find: async (tenantId, ref) => {
        const id = await this.slos.idByName(tenantId, ref.name);
        return id === null ? null : liveOf(await this.slos.get(tenantId, id), await gnsNames(tenantId));
      },
      list: async (tenantId) => {
        const names = await gnsNames(tenantId);
        return (await allItems((page) => this.slos.list(tenantId, page))).map((view) => liveOf(view, names));
      },
      normalize: async (tenantId, ref, spec) => {
        const {
          name: _name,
          gnsId: _gnsId,
          ...definition
        } = await this.slos.normalize(tenantId, await input(tenantId, ref.name, spec));
        return { globalNamespace: spec.globalNamespace, ...definition };
      },
      create: async (actor, ref, spec) => {
        await this.slos.create(actor, await input(actor.tenantId, ref.name, spec));
        return {};
      },
      replace: async (actor, live, spec) => {
        await this.slos.replace(
          actor,
          live.id,
          live.version,
          await input(actor.tenantId, live.ref.name, spec),
        );
      },
      remove: (actor, live) => this.slos.delete(actor, live.id, live.version),
    };
  }

  private webhookAdapter(): KindAdapter {
    type View = Awaited<ReturnType<WebhooksService['get']>>;
    const liveOf = (view: View): Live => ({
      ref: { kind: 'Webhook', name: view.name },
      id: view.id,
      version: view.version,
      createdAt: view.createdAt,
      updatedAt: view.updatedAt,
      spec: { url: view.url, eventTypes: view.eventTypes, enabled: view.enabled },
      status: { secretHint: view.secretHint },
    });
    return {
      find: async (tenantId, ref) => {
        const id = await this.webhooks.idByName(tenantId, ref.name);
        return id === null ? null : liveOf(await this.webhooks.get(tenantId, id));
      },
      list: async (tenantId) => (await allItems((page) => this.webhooks.list(tenantId, page))).map(liveOf),
      normalize: async (_tenantId, _ref, spec) => {
        const errors = [...validateWebhookUrl(spec.url), ...validateWebhookEventTypes(spec.eventTypes)].map(
          inSpec,
        );
        if (errors.length > 0) throw DomainError.validation(errors);
        return spec;
      },
      create: async (actor, ref, spec) => {
        const created = await this.webhooks.create(actor, webhookInput(ref.name, spec));
        return { extra: { secret: created.secret } };
      },
      replace: async (actor, live, spec) => {
        await this.webhooks.replace(actor, live.id, live.version, webhookInput(live.ref.name, spec));
      },
      remove: (actor, live) => this.webhooks.delete(actor, live.id),
    };
  }
}

function refOf(resource: DeclarativeResource): ResourceRef {
  return {
    kind: resource.kind,
    name: resource.name,
    ...(resource.globalNamespace !== undefined ? { globalNamespace: resource.globalNamespace } : {}),
  };
}

function refMetadata(ref: ResourceRef): DeclarativeDocument['metadata'] {
  return {
    name: ref.name,
    ...(ref.globalNamespace !== undefined ? { globalNamespace: ref.globalNamespace } : {}),
  };
}

function refFromKey(owned: Ownership): ResourceRef {
  const kind = owned.kind as DeclarativeKind;
  const parts = owned.ref.split('/').slice(1);
  return KIND_INFO[kind].scopedByGlobalNamespace
    ? { kind, globalNamespace: parts[0]!, name: parts[1]! }
    : { kind, name: parts[0]! };
}

function documentOf(kind: DeclarativeKind, live: Live, owned: Ownership | null): DeclarativeDocument {
  const managed = owned !== null && owned.resourceId === live.id;
  return {
    apiVersion: API_VERSION,
    kind,
    metadata: {
      ...refMetadata(live.ref),
      id: live.id,
      version: live.version,
      createdAt: live.createdAt,
      updatedAt: live.updatedAt,
      ...(managed ? { managedBy: MANAGED_BY_APPLY, applySet: owned.applySet } : {}),
    },
    spec: live.spec,
    ...(live.status !== undefined ? { status: live.status } : {}),
  };
}

function inSpec(error: FieldError): FieldError {
  return { field: `spec.${error.field}`, message: error.message };
}

/**
 * The field errors of a REST body (a service policy's) named as fields of the document: the
 * service is metadata.name, the body is spec.
 */
async function inDocument<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'VALIDATION') throw error;
    throw DomainError.validation(
      error.fields.map((field) =>
        field.field === 'service'
          ? { field: 'metadata.name', message: field.message }
          : field.field === '(body)'
            ? { field: 'spec', message: field.message }
            : inSpec(field),
      ),
    );
  }
}

function notFound(ref: ResourceRef): DomainError {
  return new DomainError('NOT_FOUND', `${refKey(ref)} not found`);
}

/** A stale version during the write: someone changed the resource between our read and our write. */
function concurrentChange(error: unknown, key: string): unknown {
  if (error instanceof DomainError && error.code === 'PRECONDITION_FAILED')
    return new DomainError(
      'CONFLICT',
      `${key} was changed by someone else while being applied: run apply again`,
    );
  return error;
}

function webhookInput(name: string, spec: DeclarativeSpec) {
  return { name, url: spec.url, eventTypes: spec.eventTypes, enabled: spec.enabled };
}

/** In name order, so that two tenants with the same configuration export the same text. */
function byRef(items: Live[]): Live[] {
  return [...items].sort((a, b) => refKey(a.ref).localeCompare(refKey(b.ref)));
}

/** The data-plane fields of a normalized Cluster spec (declarative-kinds fills in their defaults). */
function placementSpec(spec: Record<string, unknown>) {
  return {
    network: (spec.network as string | null | undefined) ?? null,
    region: (spec.region as string | null | undefined) ?? null,
    zone: (spec.zone as string | null | undefined) ?? null,
    eastWestGatewayManaged: (spec.eastWestGatewayManaged as boolean | undefined) ?? true,
    eastWestGatewaySelector:
      (spec.eastWestGatewaySelector as Record<string, string> | null | undefined) ?? null,
  };
}
