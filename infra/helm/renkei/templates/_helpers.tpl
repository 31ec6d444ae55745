{{/* Names. */}}
{{- define "renkei.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "renkei.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "renkei.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "renkei.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: renkei
{{- end -}}

{{/* Selector labels of one service: (dict "root" $ "svc" "clearing") */}}
{{- define "renkei.selectorLabels" -}}
app.kubernetes.io/name: {{ include "renkei.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .svc }}
{{- end -}}

{{- define "renkei.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "renkei.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "renkei.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/*
What each service is: its entry point, whether it serves the platform's health/metrics endpoints and
HTTPS, its Kafka principal and its PostgreSQL role ("" = it uses neither).
*/}}
{{- define "renkei.catalog" -}}
registry: { main: dist/apps/registry/src/main.js, platform: true, kafkaUser: registry, dbRole: renkei_registry }
clearing: { main: dist/apps/clearing/src/main.js, platform: true, kafkaUser: clearing, dbRole: renkei_clearing }
exchange: { main: dist/apps/exchange/src/main.js, platform: true, kafkaUser: exchange, dbRole: '' }
cps-sim: { main: dist/apps/cps-sim/src/main.js, platform: true, kafkaUser: '', dbRole: '' }
console: { main: dist/apps/console/src/server.js, platform: false, kafkaUser: '', dbRole: '' }
{{- end -}}

{{- define "renkei.appSecretName" -}}
{{- default (printf "%s-secrets" (include "renkei.fullname" .)) .Values.appSecrets.name -}}
{{- end -}}

{{- define "renkei.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "renkei.fullname" .)) .Values.tls.secretName -}}
{{- end -}}

{{/* The in-cluster URL of a service: (dict "root" $ "svc" "clearing") */}}
{{- define "renkei.serviceUrl" -}}
{{- $svc := index .root.Values.services .svc -}}
{{- $scheme := ternary "https" "http" (and .root.Values.tls.enabled (ne .svc "console")) -}}
{{- printf "%s://%s-%s:%v" $scheme (include "renkei.fullname" .root) .svc $svc.port -}}
{{- end -}}

{{/* The URL participants reach a service at: publicUrls.<svc>, else the in-cluster URL. */}}
{{- define "renkei.publicUrl" -}}
{{- $url := index .root.Values.publicUrls .svc -}}
{{- default (include "renkei.serviceUrl" .) $url -}}
{{- end -}}

{{/* Kafka. */}}
{{- define "renkei.kafkaCluster" -}}
{{- default (printf "%s-kafka" .Release.Name) .Values.kafka.clusterName | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "renkei.kafkaBootstrap" -}}
{{- if .Values.kafka.enabled -}}
{{- printf "%s-kafka-bootstrap:9093" (include "renkei.kafkaCluster" .) -}}
{{- else -}}
{{- required "kafka.external.bootstrapServers is needed when kafka.enabled is false" .Values.kafka.external.bootstrapServers -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding the CA that signed the brokers' certificates (key ca.crt). */}}
{{- define "renkei.kafkaCaSecret" -}}
{{- if .Values.kafka.enabled -}}
{{- printf "%s-cluster-ca-cert" (include "renkei.kafkaCluster" .) -}}
{{- else -}}
{{- required "kafka.external.caSecret is needed when kafka.enabled is false" .Values.kafka.external.caSecret -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding a principal's SCRAM password (key password): (dict "root" $ "user" "exchange") */}}
{{- define "renkei.kafkaUserSecret" -}}
{{- $name := index .root.Values.kafka.users .user -}}
{{- if .root.Values.kafka.enabled -}}
{{- $name -}}
{{- else -}}
{{- required (printf "kafka.external.userSecrets.%s is needed when kafka.enabled is false" .user) (index .root.Values.kafka.external.userSecrets .user) -}}
{{- end -}}
{{- end -}}

{{/* PostgreSQL. */}}
{{- define "renkei.pgCluster" -}}
{{- default (printf "%s-pg" .Release.Name) .Values.postgresql.clusterName | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "renkei.pgHost" -}}
{{- if .Values.postgresql.enabled -}}
{{- printf "%s-rw" (include "renkei.pgCluster" .) -}}
{{- else -}}
{{- required "postgresql.external.host is needed when postgresql.enabled is false" .Values.postgresql.external.host -}}
{{- end -}}
{{- end -}}

{{- define "renkei.pgPort" -}}
{{- if .Values.postgresql.enabled -}}5432{{- else -}}{{ .Values.postgresql.external.port }}{{- end -}}
{{- end -}}

{{/* The Secret holding the CA of the server certificate (key ca.crt); CloudNativePG's is <cluster>-ca. */}}
{{- define "renkei.pgCaSecret" -}}
{{- if .Values.postgresql.enabled -}}
{{- printf "%s-ca" (include "renkei.pgCluster" .) -}}
{{- else -}}
{{- required "postgresql.external.caSecret is needed when postgresql.enabled is false" .Values.postgresql.external.caSecret -}}
{{- end -}}
{{- end -}}

{{/* The basic-auth Secret of a role: (dict "root" $ "role" "renkei_clearing"); the owner is "renkei". */}}
{{- define "renkei.pgRoleSecret" -}}
{{- $given := ternary .root.Values.postgresql.ownerSecret (index .root.Values.postgresql.roleSecrets .role | default "") (eq .role "renkei") -}}
{{- if and (not .root.Values.postgresql.enabled) (not $given) -}}
{{- fail (printf "postgresql.enabled is false: set %s (a basic-auth Secret of an existing role)" (ternary "postgresql.ownerSecret" (printf "postgresql.roleSecrets.%s" .role) (eq .role "renkei"))) -}}
{{- end -}}
{{- if eq .role "renkei" -}}
{{- default (printf "%s-pg-owner" (include "renkei.fullname" .root)) $given -}}
{{- else -}}
{{- default (printf "%s-pg-%s" (include "renkei.fullname" .root) (.role | replace "_" "-")) $given -}}
{{- end -}}
{{- end -}}

{{/*
DATABASE_URL for a role, over TLS with the server's name checked (sslmode=verify-full) against the CA
mounted at /etc/renkei/pg-ca. The password comes from $(DATABASE_PASSWORD), set just before it.
*/}}
{{- define "renkei.databaseUrl" -}}
{{- printf "postgresql://%s:$(DATABASE_PASSWORD)@%s:%s/%s?sslmode=verify-full&sslrootcert=/etc/renkei/pg-ca/ca.crt" .role (include "renkei.pgHost" .root) (include "renkei.pgPort" .root) .root.Values.postgresql.database -}}
{{- end -}}
