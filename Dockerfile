# One image for the four services; the command picks the app. Used by docker-compose.yml.
FROM golang:1.26-bookworm AS opa
ARG OPA_VERSION=v1.22.0
RUN CGO_ENABLED=0 GOBIN=/out go install github.com/open-policy-agent/opa@${OPA_VERSION}

FROM node:26-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci links the workspace libraries (node_modules/@renkei/* -> libs/*), so it needs their manifests.
COPY libs/auth/package.json libs/auth/
COPY libs/contracts/package.json libs/contracts/
COPY libs/crypto/package.json libs/crypto/
COPY libs/domain/package.json libs/domain/
COPY libs/kafka/package.json libs/kafka/
COPY libs/persistence/package.json libs/persistence/
COPY libs/platform/package.json libs/platform/
COPY libs/policy/package.json libs/policy/
COPY libs/sdk/package.json libs/sdk/
COPY libs/simulation/package.json libs/simulation/
RUN npm ci
COPY . .
COPY --from=opa /out/opa /usr/local/bin/opa
# scripts/opa.sh (used by the policy build) takes this binary as is instead of building one.
ENV OPA_BIN=/usr/local/bin/opa
RUN npm run build && npm prune --omit=dev

FROM node:26-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Each library runs from its own libs/<name>/dist (its package.json `exports`); see ADR 0022.
COPY --from=build /app/libs ./libs
COPY --from=build /app/policies/build ./policies/build
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/scripts/prisma-migrate.mjs ./scripts/prisma-migrate.mjs
COPY --from=build /app/package.json ./package.json
# Numeric, so that a runtime enforcing non-root (Kubernetes runAsNonRoot) can check it: `node` is 1000.
USER 1000:1000
CMD ["node", "dist/apps/exchange/src/main.js"]
