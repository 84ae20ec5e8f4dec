# syntax=docker/dockerfile:1
# The app as one image: `docker build -t gatehouse .`, then run it with DATABASE_URL,
# AUTH_ISSUER and AUTH_JWKS (docs/deploy.md). Next's standalone output: server.js and only
# the files it traces (PGlite's .wasm/.data and the SQL migrations included, see
# apps/web/next.config.ts). apps/web/e2e/standalone.spec.ts starts that server.js exactly as
# CMD below does, so the entry point is tested without Docker.

ARG NODE_VERSION=20.20.2

# --- build: the workspace, installed from the lockfile, and `next build` ----------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
ENV NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1
RUN npm install --global pnpm@10.34.9 --no-fund --no-audit
WORKDIR /repo
# Manifests first: the install layer is reused until a dependency changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY apps/web/package.json apps/web/
COPY packages/auth/package.json packages/auth/
COPY packages/db/package.json packages/db/
COPY bench/package.json bench/
RUN pnpm install --frozen-lockfile
COPY . .
RUN pnpm --filter @gatehouse/web run build

# --- runtime: node, server.js and its traced files; no pnpm, no sources, not root ------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0 \
    GATEHOUSE_DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=node:node /repo/apps/web/.next/standalone ./
# Next leaves the browser assets out of standalone: they go beside server.js's .next.
COPY --from=build --chown=node:node /repo/apps/web/.next/static ./apps/web/.next/static
# Only used without DATABASE_URL (the embedded database; one container, never two).
RUN mkdir /data && chown node:node /data
USER node
WORKDIR /app/apps/web
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "server.js"]
