# One image for the four services; the command picks the app. Used by docker-compose.yml.
FROM golang:1.26-bookworm AS opa
ARG OPA_VERSION=v1.22.0
RUN CGO_ENABLED=0 GOBIN=/out go install github.com/open-policy-agent/opa@${OPA_VERSION}

FROM node:26-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
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
COPY --from=build /app/policies/build ./policies/build
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/scripts/prisma-migrate.mjs ./scripts/prisma-migrate.mjs
COPY --from=build /app/package.json ./package.json
USER node
CMD ["node", "dist/apps/exchange/src/main.js"]
