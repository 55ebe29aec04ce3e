# syntax=docker/dockerfile:1
# Node 22 (LTS): Node 20 reached end of life in April 2026. The code also runs on Node 20 (engines), which
# is what CI tests on.
# Multi-stage build: compile TypeScript (and better-sqlite3's native addon) in a build stage, then ship
# only production dependencies and dist/ in a slim runtime image that runs as a non-root user.

FROM node:22-bookworm-slim AS build
WORKDIR /app
# Toolchain for better-sqlite3's node-gyp build when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# `prepare` (the TypeScript build) needs the sources, so install without scripts first, then build the
# native addon explicitly.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
COPY bin ./bin
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# The bundled sandbox scenarios, so `cis-bot demo` also works inside the image.
COPY --from=build /app/src/sandbox/scenarios ./src/sandbox/scenarios
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# The bot runs in the volume: the default SQLite file (cis-bot.db) and an optional cis-bot.yaml live
# there. No CIS_BOT_DB here: with DATABASE_URL (PostgreSQL) a database path would be refused.
WORKDIR /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "/app/dist/src/main.js"]
