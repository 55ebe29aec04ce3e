# syntax=docker/dockerfile:1
# Node 22 (LTS): Node 20 reached end of life in April 2026. The code also runs on Node 20 (engines); CI
# tests on both (.ci/run).
# Multi-stage build: compile TypeScript, bundle the CLI and build better-sqlite3's native addon in a build
# stage, then ship only production dependencies and the build output in a slim runtime image that runs as
# the non-root user `node` (uid 1000, gid 1000).
#
# Base image pinning: the image is named by tag, not yet by digest. A digest
# (node:22-bookworm-slim@sha256:...) makes every build use the same bytes, but it can only be read from the
# registry, and this file was written where neither a registry nor a Docker engine could be reached, so
# no digest was verified; an unverified digest would be worse than none. To pin it, read the current one
# and pass it (or write it into NODE_IMAGE below):
#   docker buildx imagetools inspect node:22-bookworm-slim --format '{{json .Manifest.Digest}}'
#   docker build --build-arg NODE_IMAGE=node:22-bookworm-slim@sha256:<digest> -t cis-bot .
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Toolchain for better-sqlite3's node-gyp build when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# `prepare` (the build) needs the sources, so install without scripts first, then build the native
# addon explicitly (the only install script package.json's allowScripts permits).
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY adapters ./adapters
COPY bin ./bin
# Build (dist/ and the CLI bundle dist/cli.cjs), keep production dependencies only, then drop what the
# runtime never reads: better-sqlite3's SQLite sources (deps/), C++ sources and build intermediates (all
# but the addon itself, ~24 MB), the incremental-build state, and source maps (their sources are not in
# the image, so they would point at nothing).
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && cd node_modules/better-sqlite3 \
 && rm -rf deps src binding.gyp build/deps build/Makefile build/*.mk build/config.gypi \
           build/Release/obj build/Release/obj.target build/Release/.deps build/Release/test_extension.node \
           build/Release/sqlite3.a \
 && cd /app \
 && rm -f dist/.tsbuildinfo \
 && find dist -name '*.map' -delete

FROM ${NODE_IMAGE} AS runtime
# tini as PID 1: it forwards SIGTERM/SIGINT to the process and reaps children, so `docker stop` and
# Ctrl-C also stop one-off CLI runs (node as PID 1 ignores SIGTERM unless it installs a handler).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# The bundled sandbox scenarios, so `cis-bot demo` also works inside the image.
COPY --from=build /app/src/sandbox/scenarios ./src/sandbox/scenarios
# `cis-bot` is a command on PATH (no npx: it would run `prepare` and reach for the network). /data is
# owned by `node` (uid 1000): a host folder mounted there must be writable by uid 1000.
RUN ln -s /app/bin/cis-bot.js /usr/local/bin/cis-bot \
 && mkdir -p /data \
 && chown node:node /data
USER node
VOLUME ["/data"]
# The bot runs in the volume: the default SQLite file (cis-bot.db) and an optional cis-bot.yaml live
# there. No CIS_BOT_DB here: with DATABASE_URL (PostgreSQL) a database path would be refused.
WORKDIR /data
EXPOSE 3000
# /metrics, only with metrics.enabled (metrics.port, README: Metrics for operators)
EXPOSE 9464
# Liveness, not readiness: Docker Swarm and ECS replace a container whose health check fails, and
# restarting cannot fix a database outage (every replica would restart at once). /livez answers while the
# process serves; route traffic on /readyz (database and chat configuration usable), e.g. a Kubernetes
# readinessProbe (README, "Health probes").
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/livez').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "/app/dist/src/main.js"]
