{{/* Resource names: <release>-lattice-controller, or the release name when it already says so. */}}
{{- define "lattice-controller.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "lattice-controller.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "lattice-controller.labels" -}}
{{ include "lattice-controller.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "lattice-controller.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- include "lattice-controller.fullname" . -}}
{{- end -}}
{{- end -}}

{{/*
The Deployments to render, as a YAML list: one running every role (the default), or with
roles.separate one per role (LATTICE_ROLES), so telemetry ingest (agent-gateway) and background jobs
(worker) stay off the API replicas. `name` suffixes the Deployment and is its component label.
*/}}
{{- define "lattice-controller.components" -}}
{{- if .Values.roles.separate -}}
- { name: api, roles: api, replicas: {{ .Values.roles.api.replicas }}, autoscaled: {{ .Values.autoscaling.enabled }} }
- { name: agent-gateway, roles: agent-gateway, replicas: {{ .Values.roles.agentGateway.replicas }}, autoscaled: false }
- { name: worker, roles: worker, replicas: {{ .Values.roles.worker.replicas }}, autoscaled: false }
{{- else -}}
- { name: '', roles: 'api,agent-gateway,worker', replicas: {{ .Values.replicaCount }}, autoscaled: {{ .Values.autoscaling.enabled }} }
{{- end -}}
{{- end -}}
